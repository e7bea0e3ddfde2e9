import type { Config } from '../config/schema.ts';
import type { AccountInfo, InstrumentRules, WalletCoin } from '../venues/bybit/private-types.ts';
import type { ExchangeVenue } from './component-options.ts';

/**
 * What an exchange-backed run prints before it trades: where the orders go, the account, the
 * symbols with the exchange's own order rules, the wallet and the risk limits — so an operator
 * sees what the daemon is about to do before its first order, never a key.
 */
export function exchangeBanner(p: {
  venue: ExchangeVenue; mode: 'forward' | 'live'; account: string; config: Config; info: AccountInfo;
  rules: ReadonlyMap<string, InstrumentRules>; wallet: readonly WalletCoin[]; skewMs: number;
}): string {
  const { venue, config } = p;
  const r = config.risk;
  const head = venue.real
    ? `LIVE TRADING: REAL ORDERS on ${venue.label}, account ${p.account} (${config.exchange.market})`
    : `${p.mode} on ${venue.label}, account ${p.account} (${config.exchange.market}): orders go to ${venue.privateRestUrl}`;
  const pct = (x: number): string => (x > 0 ? `${x} %` : 'off');
  const coins = p.wallet.filter((c) => c.walletBalance !== 0).map((c) => `${c.coin} ${c.walletBalance}${c.locked > 0 ? ` (${c.locked} locked)` : ''}`);
  const lines = [
    head,
    `  exchange account: ${p.info.kind}${p.info.readOnly ? ', READ-ONLY KEY' : ''}${p.info.permissions.length > 0 ? `, key permissions ${p.info.permissions.join(' ')}` : ''}; clock ${p.skewMs >= 0 ? '+' : ''}${Math.round(p.skewMs)} ms from Bybit's`,
    `  wallet: ${coins.length > 0 ? coins.join(', ') : 'empty'}`,
    ...config.market.symbols.map((s) => {
      const x = p.rules.get(s);
      return x === undefined ? `  ${s}: no instrument rules` : `  ${s} (${x.id}): qty step ${x.qtyStep}, min qty ${x.minQty}, min notional ${x.minNotional} ${x.quote}, tick ${x.tickSize}`;
    }),
    `  strategies: ${config.strategies.enabled.join(', ')} on ${config.market.timeframe}`,
    `  risk: sizing ${r.sizing}${r.sizing === 'percent_equity' ? ` ${r.position_pct} %` : r.sizing === 'fixed' ? ` ${r.fixed_qty}` : ` ${r.risk_per_trade_pct} % per trade`}; ` +
      `max open positions ${r.max_open_positions} (${r.max_open_positions_per_strategy} per strategy); exposure per symbol ${r.max_symbol_exposure_pct} %, total ${r.max_total_exposure_pct} %; ` +
      `leverage ${r.max_leverage}; daily loss limit ${pct(r.daily_loss_limit_pct)}; max drawdown ${pct(r.max_drawdown_pct)}`,
    `  reconciliation every ${config.live.reconcile_interval_s} s; positions not placed by this daemon: ${config.live.on_foreign_position}`,
  ];
  return lines.join('\n');
}
