/**
 * The configured sizing at the current price against each instrument's minimum quantity and
 * notional: the order the risk gate would size for a full signal (|targetExposure| = 1) of each
 * strategy, on its share of the cash, rounded down to the lot step (src/engine/risk/sizing.ts,
 * src/domain/lot-step.ts). An order under the minimum would be refused by the exchange on every
 * signal: the strategy would never trade.
 */
import type { Config } from '../config/schema.ts';
import type { CandleColumns } from '../domain/candle.ts';
import { floorToStep } from '../domain/lot-step.ts';
import { sizePosition } from '../engine/risk/sizing.ts';
import { riskConfigOf } from '../app/component-options.ts';
import { fail, pass, warn, type CheckResult } from './check.ts';

/** What sizing needs of an instrument (InstrumentRules has these and more). */
export interface SizingRules {
  readonly minQty: number;
  readonly qtyStep: number;
  readonly minNotional: number;
}

/** Mean true range of the last `period` candles: the ATR risk sizing uses for a signal without a stop. */
export function meanTrueRange(c: CandleColumns, period = 14): number | undefined {
  if (c.length < period + 1) return undefined;
  let sum = 0;
  for (let i = c.length - period; i < c.length; i++) {
    const prev = c.close[i - 1]!;
    sum += Math.max(c.high[i]! - c.low[i]!, Math.abs(c.high[i]! - prev), Math.abs(c.low[i]! - prev));
  }
  return sum / period;
}

export interface SizingInputs {
  readonly rules: ReadonlyMap<string, SizingRules>;
  /** Recent closed candles per symbol; the last close is the current price. */
  readonly candles: ReadonlyMap<string, CandleColumns>;
  /** The account's cash: forward.initial_cash for paper, the wallet's quote balance on an exchange. */
  readonly cash: number;
  readonly cashFrom: string;
}

export function sizingCheck(config: Config, inp: SizingInputs): CheckResult {
  const id = 'risk.sizing';
  const cfg = riskConfigOf(config);
  const short: string[] = [];
  const unknown: string[] = [];
  const ok: string[] = [];
  for (const symbol of config.market.symbols) {
    const r = inp.rules.get(symbol);
    const c = inp.candles.get(symbol);
    const price = c !== undefined && c.length > 0 ? c.close[c.length - 1]! : undefined;
    if (r === undefined || price === undefined) {
      unknown.push(symbol);
      continue;
    }
    for (const strategy of config.strategies.enabled) {
      const allotted = inp.cash * (cfg.strategyWeights[strategy] ?? 0);
      const atr = meanTrueRange(c!, config.execution.atr_period);
      const s = sizePosition(cfg, { fraction: 1, direction: 1, price, allotted, stop: undefined, atr });
      if (!s.ok) {
        unknown.push(`${symbol} (${strategy}: ${s.reason})`);
        continue;
      }
      const qty = floorToStep(s.qty, r.qtyStep);
      const notional = qty * price;
      const what = `${strategy} ${symbol}: ${config.risk.sizing} sizes ${qty} at ${price} = ${notional.toFixed(2)} on ${allotted.toFixed(2)} of ${inp.cashFrom}`;
      if (qty < r.minQty || notional < r.minNotional) short.push(`${what}, under the minimum (qty ${r.minQty}, notional ${r.minNotional})`);
      else ok.push(`${strategy} ${symbol} ${qty} (${notional.toFixed(2)})`);
    }
  }
  if (short.length > 0) {
    return fail(id, short.join('; '), 'raise risk.position_pct / risk.fixed_qty / risk.risk_per_trade_pct, the cash (forward.initial_cash or the account balance), or enable fewer strategies');
  }
  if (unknown.length > 0) return warn(id, `sizing not checked for ${unknown.join(', ')}${ok.length > 0 ? `; meets the minimums: ${ok.join(', ')}` : ''}`, 'see the exchange and instrument checks above');
  return pass(id, `a full signal meets the instruments' minimum quantity and notional: ${ok.join(', ')}`);
}
