import type { Config } from '../config/schema.ts';
import { WallClock } from '../core/clock.ts';
import { isoUtc } from '../core/time.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleStep } from '../domain/candle-batch.ts';
import { StepStreamSource } from '../engine/sources/step-stream-source.ts';
import type { Logger } from '../observability/logger.ts';
import { FeedGapWriter } from '../persistence/feed-gaps.ts';
import type { StateDb } from '../persistence/state-db.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import { klineFeed } from '../venues/bybit/kline-feed.ts';
import type { HostGroup } from '../workers/host-group.ts';
import { feedStrategies, type AccountPlan, type Fed } from './account-resume.ts';
import { klineFeedOptionsOf } from './component-options.ts';
import { liveSteps, type LateCandle } from './live-steps.ts';
import { holeFlag } from './status-line.ts';

/**
 * The candle source of forward and live runs: the strategies are brought to where the account is
 * (warm-up or replay plus the downtime, src/app/account-resume.ts), then the live Bybit kline
 * feed, grouped into steps (a late symbol is backfilled, never skipped). A stop closes the feed,
 * which ends the source. `beforeStep` runs before each step is handed to the loop (an exchange
 * account reads the executions the stream may have missed there).
 */
export async function liveCandleSource(p: {
  db: StateDb; runId: string; hosts: HostGroup; config: Config; symbols: readonly string[]; plan: AccountPlan; log: Logger;
  client: BybitClient; wsUrl: string; stop: AbortSignal; refresh: () => void; beforeStep?: () => Promise<void>;
}): Promise<{ source: StepStreamSource; fed: Fed; holes: () => string[] }> {
  const { config, log } = p;
  const tfMs = timeframeMs(config.market.timeframe);
  const { lastClosedTs, fed } = await feedStrategies({ db: p.db, runId: p.runId, hosts: p.hosts, config, symbols: p.symbols, plan: p.plan, log, client: p.client, signal: p.stop });
  // Gaps the feed could not fill are events of this run in the state DB.
  const gaps = new FeedGapWriter(p.db, p.runId);
  const feed = klineFeed({
    wsUrl: p.wsUrl,
    client: p.client,
    market: config.exchange.market,
    timeframe: config.market.timeframe,
    symbols: p.symbols,
    lastClosedTs,
    logger: log.child({ component: 'kline-feed' }),
    ...klineFeedOptionsOf(config),
    onGap: (g) => gaps.record(g),
    // While a hole is open no step comes: the status line is redrawn when one opens or closes.
    onEvent: (e) => {
      if (e.type === 'hole_opened' || e.type === 'backfill_failed' || e.type === 'backfilled') p.refresh();
    },
  });
  if (p.stop.aborted) feed.close();
  else p.stop.addEventListener('abort', () => feed.close(), { once: true });
  const onLate = (l: LateCandle): void => log.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', ...l }, `${l.symbol} candle ${isoUtc(l.ts)} arrived after its step was traded (${isoUtc(l.lastStepTs)}); dropped`);
  const steps = liveSteps(feed, p.symbols, { graceMs: Math.min(10_000, tfMs / 4), clock: new WallClock(), onLate, backfill: feed });
  const before = p.beforeStep;
  return { source: new StepStreamSource(p.symbols, before === undefined ? steps : settled(steps, before)), fed, holes: () => feed.openHoles().map(holeFlag) };
}

async function* settled(steps: AsyncIterable<CandleStep>, before: () => Promise<void>): AsyncIterable<CandleStep> {
  for await (const s of steps) {
    await before();
    yield s;
  }
}
