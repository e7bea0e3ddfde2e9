import type { Config } from '../config/schema.ts';
import type { CandleColumns } from '../domain/candle.ts';
import { mergeColumns } from '../engine/sources/replay-source.ts';
import type { Logger } from '../observability/logger.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import { fetchRecentClosedKlines } from '../venues/bybit/kline-windows.ts';
import { withRetry } from '../venues/bybit/retry.ts';
import { exchangeRetryPolicy } from './component-options.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { HostGroup } from '../workers/host-group.ts';

/**
 * Warms the strategy hosts up with the last closed candles from the exchange before a forward
 * (or live) run trades, and returns where the warm-up ended: the live feed must continue after
 * that ONE time for every symbol (it backfills anything that closed since), so no symbol's next
 * candle can fall into a step the strategies have already seen.
 *
 * Signals decided on warm-up candles are discarded: they are decisions about the past, and
 * acting on them now would trade at prices that are gone. The candles also become the hosts'
 * recent history, so a strategy restarted in the first minutes is re-warmed the same way.
 */
export async function warmUpFromExchange(
  hosts: HostGroup,
  config: Config,
  symbols: readonly string[],
  log: Logger,
  client: BybitClient,
  signal?: AbortSignal,
): Promise<Record<string, number>> {
  const count = Math.max(config.forward.warmup_candles, hosts.warmup + 1);
  const tfMs = timeframeMs(config.market.timeframe);
  const retry = exchangeRetryPolicy(config);
  // One end for all symbols: the candle forming at the exchange's clock now.
  const now = await withRetry(() => client.fetchTime() as Promise<number>, 'bybit GET /v5/market/time', retry, log, signal);
  const forming = Math.floor(now / tfMs) * tfMs;
  const series = new Map<string, CandleColumns>();
  for (const s of symbols) {
    series.set(s, await fetchRecentClosedKlines(client, s, config.market.timeframe, forming - count * tfMs, forming, retry, log, signal));
  }
  const batch = mergeColumns(symbols, series);
  if (batch.length > 0) await hosts.processBatch(batch);
  const end = batch.length > 0 ? batch.ts[batch.length - 1]! : forming - tfMs;
  const lastClosedTs = Object.fromEntries(symbols.map((s) => [s, end] as const));
  const per = symbols.map((s) => `${s} ${series.get(s)!.length}`).join(', ');
  log.info({ candles: batch.length, requested: count, strategyWarmup: hosts.warmup }, `warmed strategies up on the last closed candles (${per}); their signals are not traded`);
  if (hosts.warmup > 0) {
    for (const s of symbols) {
      const n = series.get(s)!.length;
      if (n < hosts.warmup) log.warn({ symbol: s, candles: n, warmup: hosts.warmup }, `${s}: only ${n} closed candles for a warm-up of ${hosts.warmup}; strategies stay silent until it is reached`);
    }
  }
  return lastClosedTs;
}
