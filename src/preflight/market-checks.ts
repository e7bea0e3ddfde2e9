/**
 * Forward and live: the exchange's public side. It answers; its clock is within
 * preflight.max_clock_skew_ms of ours (0 = measured and reported only); every configured symbol is
 * a trading instrument of the configured market; the last closed candles can be fetched (the
 * warm-up a new account starts with, and the candles the look-ahead check and the sizing check
 * use). Requests go through the same ccxt client a forward start then trades with, so a start
 * that runs these checks loads the instruments once.
 */
import type { Config } from '../config/schema.ts';
import { timeframeMs } from '../core/timeframe.ts';
import { isCtError } from '../core/errors.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import { fetchRecentClosedKlines } from '../venues/bybit/kline-windows.ts';
import { instrumentRules } from '../venues/bybit/private-orders.ts';
import type { InstrumentRules } from '../venues/bybit/private-types.ts';
import { parseServerTime } from '../venues/bybit/private-replies.ts';
import { loadMarkets } from '../venues/bybit/rest-klines.ts';
import { withRetry, type RetryPolicy, type VenueLogger } from '../venues/bybit/retry.ts';
import { fail, messageOf, pass, warn, type CheckResult } from './check.ts';

/** Preflight asks once more at most, quickly: an exchange that does not answer is the finding, not a reason to wait minutes. */
export const PREFLIGHT_RETRY: RetryPolicy = { attempts: 2, baseMs: 200, capMs: 1000 };

export interface MarketFindings {
  readonly checks: CheckResult[];
  /** False when the exchange did not answer: the checks that need it were not run. */
  readonly answered: boolean;
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  /** Recent closed candles per symbol (as many as asked for, fewer when the exchange has fewer). */
  readonly candles: ReadonlyMap<string, CandleColumns>;
}

export interface MarketCheckOptions {
  /** Closed candles to fetch per symbol (the warm-up and the look-ahead check want many, the start's sizing check only the last). */
  readonly candles: number;
  /** Check the clock here (paper), or not (an exchange account checks the clock of its signed API). */
  readonly clock: boolean;
  /** Say whether forward.warmup_candles candles can be fetched (the command; a start warms up right after anyway). */
  readonly warmup: boolean;
  readonly label: string;
  /** How often a request is tried: quick for the command, the configured policy at a start (which waited that long before). */
  readonly retry: RetryPolicy;
}

/** Our clock minus the exchange's, from /v5/market/time (its timeNano), taken at the middle of the request. */
export async function measureSkew(client: BybitClient, log: VenueLogger, retry: RetryPolicy = PREFLIGHT_RETRY): Promise<number> {
  const before = Date.now();
  const body = await withRetry(() => client.publicGetV5MarketTime() as Promise<unknown>, 'bybit GET /v5/market/time', retry, log);
  const mid = (before + Date.now()) / 2;
  return Math.round(mid - parseServerTime(body, 'bybit market/time'));
}

/**
 * The clock check from a measured skew: beyond preflight.max_clock_skew_ms fails; 0 reports the
 * figure only. `fatal`: a signing account's clock (exchange execution); paper trading signs nothing,
 * so a paper start is not refused for it (the command still fails on it).
 */
export function clockCheck(skewMs: number, maxMs: number, where: string, fatal = true): CheckResult {
  const id = 'exchange.clock';
  const side = skewMs > 0 ? 'ahead of' : 'behind';
  const figure = `the local clock is ${Math.abs(skewMs)} ms ${side} ${where}'s`;
  if (maxMs === 0) return pass(id, `${figure} (preflight.max_clock_skew_ms = 0: measured and reported only)`);
  if (Math.abs(skewMs) > maxMs) return fail(id, `${figure}: more than preflight.max_clock_skew_ms = ${maxMs}; signed requests would be refused`, 'sync the system clock (NTP: timedatectl set-ntp true, or chronyd)', fatal);
  return pass(id, `${figure} (allowed ${maxMs} ms)`, fatal);
}

export async function marketChecks(config: Config, client: BybitClient, opts: MarketCheckOptions, log: VenueLogger): Promise<MarketFindings> {
  const checks: CheckResult[] = [];
  const rules = new Map<string, InstrumentRules>();
  const candles = new Map<string, CandleColumns>();
  let skewMs: number;
  try {
    skewMs = await measureSkew(client, log, opts.retry);
    await withRetry(() => loadMarkets(client), 'bybit markets', opts.retry, log);
    checks.push(pass('exchange.reachable', `${opts.label} answers (server time and ${Object.keys(client.markets ?? {}).length} instruments)`));
  } catch (e) {
    checks.push(fail('exchange.reachable', `${opts.label} does not answer: ${messageOf(e)}`, 'check the network and the exchange URLs in [exchange] (rest_url, demo_rest_url, testnet_rest_url); the exchange status page'));
    return { checks, answered: false, rules, candles };
  }
  // Here only for paper trading (an exchange account's clock is checked on its signed API): not fatal.
  if (opts.clock) checks.push(clockCheck(skewMs, config.preflight.max_clock_skew_ms, opts.label, false));

  const market = config.exchange.market;
  const bad: string[] = [];
  for (const s of config.market.symbols) {
    const m = client.markets?.[s];
    if (m === undefined) bad.push(`${s} is not listed`);
    else if (market === 'spot' ? m.spot !== true : !(m.linear === true && m.swap === true)) bad.push(`${s} is a ${String(m.type)} instrument, not ${market === 'spot' ? 'spot' : 'a linear perpetual'}`);
    else if (m.active === false) bad.push(`${s} is not trading (inactive)`);
    else {
      try {
        rules.set(s, instrumentRules(m, s));
      } catch (e) {
        bad.push(`${s}: ${messageOf(e)}`);
      }
    }
  }
  checks.push(
    bad.length === 0
      ? pass('exchange.symbols', `${config.market.symbols.join(', ')} trade on ${opts.label} ${market}`)
      : fail('exchange.symbols', `${bad.join('; ')} (exchange.market = ${market})`, `fix market.symbols (ccxt symbols: BTC/USDT for spot, BTC/USDT:USDT for linear), or exchange.market`),
  );

  const tfMs = timeframeMs(config.market.timeframe);
  const forming = Math.floor((Date.now() - skewMs) / tfMs) * tfMs;
  const fetchFailed: string[] = [];
  for (const s of rules.keys()) {
    try {
      candles.set(s, await fetchRecentClosedKlines(client, s, config.market.timeframe, forming - opts.candles * tfMs, forming, opts.retry, log));
    } catch (e) {
      fetchFailed.push(`${s}: ${isCtError(e) ? e.message : messageOf(e)}`);
    }
  }
  if (opts.warmup) checks.push(warmupCheck(config, candles, fetchFailed));
  else if (fetchFailed.length > 0) checks.push(fail('exchange.candles', `the last closed candles could not be fetched: ${fetchFailed.join('; ')}`, 'check the exchange URL and market.timeframe'));
  return { checks, answered: true, rules, candles };
}

function warmupCheck(config: Config, candles: ReadonlyMap<string, CandleColumns>, failed: readonly string[]): CheckResult {
  const id = 'exchange.warmup';
  const want = config.forward.warmup_candles;
  if (failed.length > 0) return fail(id, `warm-up candles could not be fetched: ${failed.join('; ')}`, 'check the exchange URL and market.timeframe; the start fetches the same candles');
  const got = [...candles].map(([s, c]) => `${s} ${c.length}`);
  const short = [...candles].filter(([, c]) => c.length < want);
  if (candles.size === 0) return fail(id, 'no symbol to fetch warm-up candles for (see exchange.symbols)', 'fix market.symbols');
  if (short.length > 0) return warn(id, `fewer closed candles than forward.warmup_candles = ${want}: ${got.join(', ')}`, 'a new instrument has little history: strategies stay silent until their own warm-up is reached; lower forward.warmup_candles to silence this');
  return pass(id, `the last ${want} closed ${config.market.timeframe} candles can be fetched (${got.join(', ')})`);
}
