import type { Config } from '../config/schema.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import { mergeColumns } from '../engine/sources/replay-source.ts';
import type { Logger } from '../observability/logger.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import { fetchRecentClosedKlines } from '../venues/bybit/kline-windows.ts';
import { withRetry } from '../venues/bybit/retry.ts';
import type { HostGroup } from '../workers/host-group.ts';
import { exchangeRetryPolicy } from './component-options.ts';

/** What the strategies were fed from the exchange before trading, and where the live feed continues. */
export interface ExchangeCandles {
  /** The last closed candle per symbol the strategies have seen: the live feed continues after it (one time for all symbols). */
  readonly lastClosedTs: Record<string, number>;
  /** The candles fed, as one time-ordered batch (recorded as the run's untraded candles). */
  readonly batch: CandleBatch;
  /** Candles fed per symbol. */
  readonly perSymbol: Record<string, number>;
}

/**
 * Warms the strategy hosts up with the last closed candles from the exchange before a forward
 * (or live) run of a NEW account trades, and returns where the warm-up ended: the live feed must
 * continue after that ONE time for every symbol (it backfills anything that closed since), so no
 * symbol's next candle can fall into a step the strategies have already seen.
 *
 * Signals decided on warm-up candles are discarded: they are decisions about the past, and
 * acting on them now would trade at prices that are gone. The candles also become the hosts'
 * recent history, so a strategy restarted in the first minutes is re-warmed the same way.
 */
export async function warmUpFromExchange(hosts: HostGroup, config: Config, symbols: readonly string[], log: Logger, client: BybitClient, signal?: AbortSignal): Promise<ExchangeCandles> {
  const count = Math.max(config.forward.warmup_candles, hosts.warmup + 1);
  const tfMs = timeframeMs(config.market.timeframe);
  const got = await closedUpToNow(client, config, symbols, (forming) => forming - count * tfMs, log, signal);
  const out = await feed(hosts, symbols, got, undefined, tfMs);
  const per = symbols.map((s) => `${s} ${out.perSymbol[s]}`).join(', ');
  log.info({ candles: out.batch.length, requested: count, strategyWarmup: hosts.warmup }, `warmed strategies up on the last closed candles (${per}); their signals are not traded`);
  warnShort(hosts, symbols, out.perSymbol, log, 'closed candles for a warm-up');
  return out;
}

/**
 * A RESUMED account: after its strategies were replayed on the account's recorded candles, feeds
 * them the candles that closed while the daemon was down (after `after[symbol]`, the last candle
 * recorded per symbol), fetched over REST like a warm-up: their Signals are not traded, because
 * those prices are gone; the live feed continues after the last of them. `replayed` (candles per
 * symbol already fed) only decides whether the strategies are warm enough.
 */
export async function catchUpFromExchange(
  hosts: HostGroup,
  config: Config,
  symbols: readonly string[],
  log: Logger,
  client: BybitClient,
  after: ReadonlyMap<string, number>,
  replayed: Readonly<Record<string, number>>,
  signal?: AbortSignal,
): Promise<ExchangeCandles> {
  const tfMs = timeframeMs(config.market.timeframe);
  const count = Math.max(config.forward.warmup_candles, hosts.warmup + 1);
  // A symbol with nothing recorded (the account's first run died before its warm-up) is warmed up as new.
  const got = await closedUpToNow(client, config, symbols, (forming, s) => (after.has(s) ? after.get(s)! + tfMs : forming - count * tfMs), log, signal);
  const out = await feed(hosts, symbols, got, after, tfMs);
  const total = Object.fromEntries(symbols.map((s) => [s, (replayed[s] ?? 0) + out.perSymbol[s]!] as const));
  warnShort(hosts, symbols, total, log, 'candles replayed and caught up for a warm-up');
  return out;
}

async function closedUpToNow(
  client: BybitClient,
  config: Config,
  symbols: readonly string[],
  fromOf: (forming: number, symbol: string) => number,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<{ forming: number; series: Map<string, CandleColumns> }> {
  const tfMs = timeframeMs(config.market.timeframe);
  const retry = exchangeRetryPolicy(config);
  // One end for all symbols: the candle forming at the exchange's clock now.
  const now = await withRetry(() => client.fetchTime() as Promise<number>, 'bybit GET /v5/market/time', retry, log, signal);
  const forming = Math.floor(now / tfMs) * tfMs;
  const series = new Map<string, CandleColumns>();
  for (const s of symbols) series.set(s, await fetchRecentClosedKlines(client, s, config.market.timeframe, fromOf(forming, s), forming, retry, log, signal));
  return { forming, series };
}

/** Feeds the fetched candles to the hosts (one batch, Signals discarded) and says where the feed continues. */
async function feed(
  hosts: HostGroup,
  symbols: readonly string[],
  got: { forming: number; series: Map<string, CandleColumns> },
  after: ReadonlyMap<string, number> | undefined,
  tfMs: number,
): Promise<ExchangeCandles> {
  const batch = mergeColumns(symbols, got.series);
  if (batch.length > 0) await hosts.processBatch(batch);
  // Where every symbol's feed continues: after the newest candle the strategies have seen.
  let end = batch.length > 0 ? batch.ts[batch.length - 1]! : Number.NEGATIVE_INFINITY;
  for (const t of after?.values() ?? []) end = Math.max(end, t);
  if (end === Number.NEGATIVE_INFINITY) end = got.forming - tfMs;
  return {
    lastClosedTs: Object.fromEntries(symbols.map((s) => [s, end] as const)),
    batch,
    perSymbol: Object.fromEntries(symbols.map((s) => [s, got.series.get(s)!.length] as const)),
  };
}

function warnShort(hosts: HostGroup, symbols: readonly string[], perSymbol: Readonly<Record<string, number>>, log: Logger, what: string): void {
  if (hosts.warmup === 0) return;
  for (const s of symbols) {
    const n = perSymbol[s] ?? 0;
    if (n < hosts.warmup) log.warn({ symbol: s, candles: n, warmup: hosts.warmup }, `${s}: only ${n} ${what} of ${hosts.warmup}; strategies stay silent until it is reached`);
  }
}
