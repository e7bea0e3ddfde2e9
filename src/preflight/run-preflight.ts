/**
 * The preflight run: which checks a mode gets, in the order they are printed (docs/preflight.md).
 *
 *   always            config.valid, state.writable, state.integrity, disk.free, logs.writable,
 *                     results.writable, state.lock, strategies.load, strategies.params,
 *                     strategies.lookahead
 *   backtest          backtest.data
 *   forward, live     exchange.reachable, exchange.clock, exchange.symbols, exchange.warmup,
 *                     risk.sizing; with exchange execution also keys.present, keys.valid,
 *                     keys.trade, keys.withdraw, account.mode, account.balance (live: live.confirm)
 *
 * The config itself was loaded by the caller: a config that does not load is bad usage (exit 2),
 * like for every command; only what loads can be checked further.
 */
import type { RawConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import { exchangeRetryPolicy, exchangeVenueOf, type ExchangeAccountKind } from '../app/component-options.ts';
import { createBybitClient } from '../venues/bybit/ccxt-client.ts';
import { createPrivateApi } from '../venues/bybit/private-api.ts';
import { accountChecks, balanceCheck, keysPresentCheck } from './account-checks.ts';
import { backtestChecks } from './backtest-checks.ts';
import { messageOf, pass, warn, type CheckResult, type PreflightMode } from './check.ts';
import { localChecks } from './local-checks.ts';
import { marketChecks, measureSkew, PREFLIGHT_RETRY } from './market-checks.ts';
import { sizingCheck } from './sizing-check.ts';
import { lastCandles, strategyChecks, type RecentCandles } from './strategy-checks.ts';

export interface PreflightInputs {
  readonly config: Config;
  readonly raw: RawConfig;
  readonly secrets: Secrets;
  readonly mode: PreflightMode;
  readonly logger: Logger;
}

/** The account a forward/live run of this config trades on: 'paper' (simulated) or an exchange account. */
export function executionOf(config: Config, mode: 'forward' | 'live'): 'paper' | ExchangeAccountKind {
  return mode === 'live' ? 'bybit_live' : config.forward.execution;
}

export async function runPreflight(inp: PreflightInputs): Promise<CheckResult[]> {
  const { config } = inp;
  const log = inp.logger.child({ component: 'preflight' });
  const head: CheckResult[] = [pass('config.valid', `${config.source} is valid (every key, the cross-field checks)`), ...localChecks(config, { start: false })];
  let recent: RecentCandles | undefined;
  let modeChecks: CheckResult[];
  if (inp.mode === 'backtest') {
    const client = createBybitClient({ restUrl: config.exchange.rest_url, market: config.exchange.market, timeoutMs: config.exchange.request_timeout_ms });
    const b = await backtestChecks(config, async () => {
      try {
        await measureSkew(client, log);
        return undefined;
      } catch (e) {
        return `the exchange does not answer: ${messageOf(e)}`;
      }
    });
    recent = b.recent;
    modeChecks = b.checks;
  } else {
    const r = await exchangeSide(inp, inp.mode);
    recent = r.recent;
    modeChecks = r.checks;
  }
  return [...head, ...(await strategyChecks(config, inp.raw, recent)), ...modeChecks];
}

async function exchangeSide(inp: PreflightInputs, mode: 'forward' | 'live'): Promise<{ checks: CheckResult[]; recent: RecentCandles | undefined }> {
  const { config } = inp;
  const log = inp.logger.child({ component: 'preflight' });
  const kind = executionOf(config, mode);
  const venue = kind === 'paper' ? undefined : exchangeVenueOf(config, kind);
  const label = venue?.label ?? 'Bybit';
  const client = createBybitClient({ restUrl: venue?.publicRestUrl ?? config.exchange.rest_url, market: config.exchange.market, timeoutMs: config.exchange.request_timeout_ms });
  const candles = Math.max(config.forward.warmup_candles, config.preflight.lookahead_candles);
  const m = await marketChecks(config, client, { candles, clock: venue === undefined, warmup: true, label: venue === undefined ? 'Bybit' : `${label} market data`, retry: PREFLIGHT_RETRY }, log);
  const checks = [...m.checks];
  if (mode === 'live' && !config.live.confirm) checks.push(warn('live.confirm', `[live] confirm = false in ${config.source}: a live start is refused until it is true (and --confirm-live is given)`, 'set [live] confirm = true when the account is ready for real orders'));
  const prices = new Map([...m.candles].filter(([, c]) => c.length > 0).map(([s, c]) => [s, c.close[c.length - 1]!] as const));
  if (venue === undefined) {
    if (m.answered) checks.push(sizingCheck(config, { rules: m.rules, candles: m.candles, cash: config.forward.initial_cash, cashFrom: 'forward.initial_cash' }));
  } else {
    const keys = keysPresentCheck(config, inp.secrets);
    checks.push(keys);
    if (keys.status === 'pass') {
      const api = createPrivateApi({
        restUrl: venue.privateRestUrl, apiKey: inp.secrets.apiKey!, secret: inp.secrets.apiSecret!, timeoutMs: config.exchange.request_timeout_ms,
        recvWindowMs: config.exchange.recv_window_ms, maxClockSkewMs: config.preflight.max_clock_skew_ms, retry: { ...exchangeRetryPolicy(config), ...PREFLIGHT_RETRY }, logger: log.child({ component: 'bybit-private' }),
      });
      const a = await accountChecks(config, api, label);
      checks.push(...a.checks);
      if (a.wallet !== undefined) {
        const quote = [...m.rules.values()][0]?.quote ?? 'USDT';
        const balance = balanceCheck(config, a.wallet, quote, prices);
        checks.push(balance);
        const cash = a.wallet.find((c) => c.coin === quote)?.walletBalance ?? 0;
        if (m.answered && balance.status === 'pass') checks.push(sizingCheck(config, { rules: m.rules, candles: m.candles, cash, cashFrom: `the ${quote} balance` }));
      }
    }
  }
  const n = config.preflight.lookahead_candles;
  const recent = m.answered && m.candles.size === config.market.symbols.length ? { series: new Map([...m.candles].map(([s, c]) => [s, lastCandles(c, n)] as const)), from: `${label}'s last closed candles` } : undefined;
  return { checks, recent };
}
