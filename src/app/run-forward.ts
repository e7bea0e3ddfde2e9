import type { Config } from '../config/schema.ts';
import type { RawConfig } from '../config/load.ts';
import { resolvedIniText } from '../config/resolved.ts';
import { WallClock } from '../core/clock.ts';
import { CtError, isCtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import { timeframeMs } from '../core/timeframe.ts';
import { runCandleLoop } from '../engine/candle-loop.ts';
import { StepStreamSource } from '../engine/sources/step-stream-source.ts';
import type { Logger } from '../observability/logger.ts';
import { AccountingWriter } from '../persistence/accounting-writer.ts';
import { openStateDb } from '../persistence/state-db.ts';
import { currentGitCommit, finishRun, insertRun } from '../persistence/runs.ts';
import { klineFeed } from '../venues/bybit/kline-feed.ts';
import { buildAccount } from './account.ts';
import { startStrategyHosts } from './hosts.ts';
import { liveSteps, type LateCandle } from './live-steps.ts';
import { warmUpFromExchange } from './forward-warmup.ts';
import { exchangeRetryPolicy } from './component-options.ts';
import { newRunId } from './run-id.ts';
import { clearStatusLine, statusReporter } from './status-line.ts';
import { strategySpecs } from './strategy-specs.ts';

export interface ForwardOutcome {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted';
  readonly steps: number;
  readonly fills: number;
  readonly finalEquity: number;
}

/**
 * Forward mode: live Bybit candles (closed only, over WebSocket with reconnect and REST backfill)
 * through the same loop, with paper execution. Runs until Ctrl-C or dry_run.max_candles steps.
 * (execution = bybit_demo routes orders to Bybit's demo account once the live adapter lands; until
 * then it is refused at start-up.)
 */
export async function runForward(inp: { config: Config; raw: RawConfig; logger: Logger; signal?: AbortSignal }): Promise<ForwardOutcome> {
  const { config } = inp;
  if (config.forward.execution !== 'paper') {
    throw new CtError('CT_ERR_USAGE', `forward.execution = ${config.forward.execution}: the Bybit demo adapter is not part of this version yet; use forward.execution = paper`);
  }
  const log = inp.logger.child({ component: 'forward' });
  const runId = newRunId('forward');
  const db = openStateDb(config.general.state_dir);
  insertRun(db, { id: runId, mode: 'forward', startedAt: new Date().toISOString(), configSnapshot: resolvedIniText(inp.raw, config.strategies.enabled), gitCommit: currentGitCommit() });
  let stop = false;
  let feed: ReturnType<typeof klineFeed> | undefined;
  const aborter = new AbortController();
  const onStop = (): void => {
    stop = true;
    aborter.abort();
    feed?.close();
  };
  const symbols = config.market.symbols;
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  inp.signal?.addEventListener('abort', onStop);
  const hostsRef: { stop?: () => Promise<void> } = {};
  try {
    const hosts = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: true, db, runId });
    hostsRef.stop = () => hosts.stop();
    // Strategies start warm, as they would have been had the daemon been running all along.
    const lastClosedTs = await warmUpFromExchange(hosts, config, symbols, log, aborter.signal);
    feed = klineFeed({
      wsUrl: config.exchange.ws_url,
      restUrl: config.exchange.rest_url,
      market: config.exchange.market,
      timeframe: config.market.timeframe,
      symbols,
      lastClosedTs,
      logger: log.child({ component: 'kline-feed' }),
      retry: exchangeRetryPolicy(config),
    });
    if (stop) feed.close();
    const { portfolio, gate, execution } = buildAccount(config, config.forward.initial_cash, log);
    const sink = new AccountingWriter(db, runId, 'durable');
    const report = statusReporter(log, () => portfolio.openPositions().length, 1);
    const max = config.dry_run.max_candles;
    const onLate = (l: LateCandle): void => log.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', ...l }, `${l.symbol} candle ${isoUtc(l.ts)} arrived after its step was traded (${isoUtc(l.lastStepTs)}); dropped`);
    const source = new StepStreamSource(symbols, liveSteps(feed, symbols, Math.min(10_000, timeframeMs(config.market.timeframe) / 4), onLate));
    const r = await runCandleLoop({
      source, hosts, execution, gate, portfolio, sink,
      clock: new WallClock(),
      timeframeMs: timeframeMs(config.market.timeframe),
      atrPeriod: config.execution.atr_period,
      closeAtEnd: false,
      onStep: (s) => {
        report(s);
        if (max > 0 && s.steps >= max) onStop();
      },
      shouldStop: () => stop,
    });
    clearStatusLine();
    const status = stop && (max === 0 || r.steps < max) ? 'interrupted' : 'completed';
    finishRun(db, runId, status, new Date().toISOString());
    const last = r.equity.length > 0 ? r.equity.at(r.equity.length - 1).equity : config.forward.initial_cash;
    return { runId, status, steps: r.steps, fills: r.fills.length, finalEquity: last };
  } catch (e) {
    clearStatusLine();
    if (stop && aborter.signal.aborted) {
      // Ctrl-C during start-up (warm-up fetch): nothing was traded.
      finishRun(db, runId, 'interrupted', new Date().toISOString());
      return { runId, status: 'interrupted', steps: 0, fills: 0, finalEquity: config.forward.initial_cash };
    }
    const err = isCtError(e) ? e : new CtError('CT_ERR_RUN_FAILED', `forward ${runId} failed: ${(e as Error).message}`, { cause: e });
    finishRun(db, runId, 'failed', new Date().toISOString(), err.toLine());
    throw err;
  } finally {
    feed?.close();
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    await hostsRef.stop?.().catch(() => undefined);
    db.close();
  }
}
