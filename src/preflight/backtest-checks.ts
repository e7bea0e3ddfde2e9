/**
 * Backtest: the store holds the range backtest.from .. backtest.to for every symbol (the holes
 * inside it listed: they are facts about the market, never a failure), or auto-download can
 * fetch what is missing (backtest.auto_download on, exchange bybit, and the exchange answers).
 * Also returns the store's last candles of the range, for the look-ahead check.
 */
import type { Config } from '../config/schema.ts';
import { isoUtc } from '../core/time.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { SeriesKey } from '../domain/instrument.ts';
import { findGaps, formatGap, totalMissing } from '../data/gaps.ts';
import { CandleStore } from '../data/store.ts';
import { fail, messageOf, pass, warn, type CheckResult } from './check.ts';
import { lastCandles, type RecentCandles } from './strategy-checks.ts';

/** Gaps listed per symbol in a reason; the rest are counted. */
const GAPS_LISTED = 5;

export interface BacktestFindings {
  readonly checks: CheckResult[];
  readonly recent: RecentCandles | undefined;
}

/**
 * `exchangeAnswers` is asked only when something is missing and auto-download would fetch it:
 * a store that holds the range needs no network.
 */
export async function backtestChecks(config: Config, exchangeAnswers: () => Promise<string | undefined>): Promise<BacktestFindings> {
  const store = new CandleStore(config.general.data_dir);
  const from = config.backtest.from!;
  const to = config.backtest.to!;
  const tf = config.market.timeframe;
  const tfMs = timeframeMs(tf);
  const range = `${isoUtc(from).slice(0, 10)} .. ${isoUtc(to).slice(0, 10)}`;
  const held: string[] = [];
  const missing: string[] = [];
  const series = new Map<string, CandleColumns>();
  for (const symbol of config.market.symbols) {
    const key: SeriesKey = { exchange: config.backtest.data_exchange, market: config.exchange.market, symbol, timeframe: tf };
    try {
      const holes = await store.missingRanges(key, from, to);
      if (holes.length > 0) {
        missing.push(`${symbol}: ${holes.slice(0, 3).map((h) => `${isoUtc(h.from)} .. ${isoUtc(h.to)}`).join(', ')}${holes.length > 3 ? ` and ${holes.length - 3} more` : ''}`);
        continue;
      }
      const cols = await store.read(key, from, to);
      const gaps = findGaps(cols.ts, tfMs, cols.length);
      const listed = gaps.slice(0, GAPS_LISTED).map(formatGap).join(', ');
      held.push(`${symbol} ${cols.length} candles${gaps.length === 0 ? ', no gaps' : `, ${gaps.length} gap(s) of ${totalMissing(gaps)} candles: ${listed}${gaps.length > GAPS_LISTED ? ` and ${gaps.length - GAPS_LISTED} more` : ''}`}`);
      const n = config.preflight.lookahead_candles;
      series.set(symbol, lastCandles(cols, n));
    } catch (e) {
      missing.push(`${symbol}: the store cannot be read (${messageOf(e)})`);
    }
  }
  const where = `${config.backtest.data_exchange} ${config.exchange.market} ${tf} in ${config.general.data_dir}`;
  const checks: CheckResult[] = [];
  if (missing.length === 0) {
    checks.push(pass('backtest.data', `${where} holds ${range}: ${held.join('; ')}`));
  } else {
    const canDownload = config.backtest.auto_download && config.backtest.data_exchange === 'bybit';
    const fix = `npx tsx main.ts data download --symbols ${config.market.symbols.join(',')} --timeframe ${tf} --from ${isoUtc(from).slice(0, 10)} --market ${config.exchange.market}, or data import --csv FILE`;
    if (!canDownload) {
      checks.push(fail('backtest.data', `${where} lacks part of ${range} and auto-download is off${config.backtest.data_exchange !== 'bybit' ? ` (it fetches from bybit only, data_exchange = ${config.backtest.data_exchange})` : ''}: ${missing.join('; ')}`, fix));
    } else {
      const problem = await exchangeAnswers();
      if (problem === undefined) checks.push(warn('backtest.data', `${where} lacks part of ${range}; the run downloads it first (the exchange answers): ${missing.join('; ')}`, `download it ahead of the run: ${fix}`));
      else checks.push(fail('backtest.data', `${where} lacks part of ${range} and auto-download cannot fetch it (${problem}): ${missing.join('; ')}`, fix));
    }
  }
  return { checks, recent: series.size === config.market.symbols.length ? { series, from: `the store (${where}, up to ${isoUtc(to).slice(0, 10)})` } : undefined };
}
