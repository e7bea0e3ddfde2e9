import type { Config } from '../config/schema.ts';
import type { RawConfig } from '../config/load.ts';
import { resolvedIniText } from '../config/resolved.ts';
import { dryRunSymbolsProblems } from '../config/checks.ts';
import { SimulatedClock } from '../core/clock.ts';
import { CtError, isCtError } from '../core/errors.ts';
import { timeframeMs } from '../core/timeframe.ts';
import { runCandleLoop } from '../engine/candle-loop.ts';
import type { Logger } from '../observability/logger.ts';
import { AccountingWriter } from '../persistence/accounting-writer.ts';
import { openStateDb } from '../persistence/state-db.ts';
import { currentGitCommit, finishRun, insertRun } from '../persistence/runs.ts';
import { buildAccount } from './account.ts';
import { startStrategyHosts } from './hosts.ts';
import { newRunId } from './run-id.ts';
import { clearStatusLine, statusReporter } from './status-line.ts';
import { strategySpecs } from './strategy-specs.ts';
import { syntheticSource } from './synthetic-source.ts';

export interface DryRunOutcome {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted';
  readonly steps: number;
  readonly candles: number;
  readonly signals: number;
  readonly approved: number;
  readonly denied: number;
  readonly fills: number;
  readonly finalEquity: number;
  readonly openPositions: number;
  readonly strategyPids: Record<string, number | undefined>;
  readonly restarts: Record<string, number>;
}

/**
 * `--dry-run`: the whole daemon — strategies in their own processes (strategies.isolation),
 * risk gate, paper execution, durable SQLite accounting — on the seeded synthetic stream, until
 * Ctrl-C or dry_run.max_candles steps. No network. The decision path is the backtest's, step by
 * step; only the source (synthetic), and the durable accounting differ.
 */
export async function runDryRun(inp: { config: Config; raw: RawConfig; logger: Logger; signal?: AbortSignal }): Promise<DryRunOutcome> {
  const { config } = inp;
  const bad = dryRunSymbolsProblems(config);
  if (bad.length > 0) throw new CtError('CT_ERR_CONFIG_INVALID', bad.map((p) => `${config.source}: ${p.message}`).join('\n'), { details: { problems: bad } });
  const log = inp.logger.child({ component: 'dry-run' });
  const runId = newRunId('dryrun');
  const db = openStateDb(config.general.state_dir);
  insertRun(db, { id: runId, mode: 'dry-run', startedAt: new Date().toISOString(), configSnapshot: resolvedIniText(inp.raw, config.strategies.enabled), gitCommit: currentGitCommit() });
  let stopRequested = false;
  const onSigint = (): void => {
    stopRequested = true;
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  inp.signal?.addEventListener('abort', onSigint);
  const hostsRef: { stop?: () => Promise<void> } = {};
  try {
    const maxSteps = config.dry_run.max_candles;
    const source = syntheticSource(config, maxSteps);
    const symbols = [...source.symbols];
    const hosts = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: true, db, runId });
    hostsRef.stop = () => hosts.stop();
    const { portfolio, gate, execution } = buildAccount(config, config.dry_run.initial_cash, log);
    const sink = new AccountingWriter(db, runId, 'durable');
    const report = statusReporter(log, () => portfolio.openPositions().length);
    const pace = config.dry_run.speed > 0 ? 1000 / config.dry_run.speed : 0;
    log.info({ runId, symbols, strategies: config.strategies.enabled, isolation: config.strategies.isolation, pids: hosts.pids() }, 'dry-run started on the synthetic stream');
    const r = await runCandleLoop({
      source, hosts, execution, gate, portfolio, sink,
      clock: new SimulatedClock(),
      timeframeMs: timeframeMs(config.market.timeframe),
      atrPeriod: config.execution.atr_period,
      closeAtEnd: false,
      onStep: async (s) => {
        report(s);
        if (pace > 0) await new Promise((res) => setTimeout(res, pace));
      },
      shouldStop: () => stopRequested,
    });
    clearStatusLine();
    await hosts.finish();
    const status = stopRequested ? 'interrupted' : 'completed';
    finishRun(db, runId, status, new Date().toISOString());
    const last = r.equity.length > 0 ? r.equity.at(r.equity.length - 1).equity : config.dry_run.initial_cash;
    const outcome: DryRunOutcome = {
      runId, status, steps: r.steps, candles: r.candles, signals: r.signals, approved: r.approved, denied: r.denied,
      fills: r.fills.length, finalEquity: Number(last.toFixed(2)), openPositions: portfolio.openPositions().length,
      strategyPids: hosts.pids(), restarts: hosts.restarts(),
    };
    log.info(outcome, 'dry-run finished');
    return outcome;
  } catch (e) {
    clearStatusLine();
    const err = isCtError(e) ? e : new CtError('CT_ERR_RUN_FAILED', `dry-run ${runId} failed: ${(e as Error).message}`, { cause: e });
    finishRun(db, runId, 'failed', new Date().toISOString(), err.toLine());
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await hostsRef.stop?.().catch(() => undefined);
    db.close();
  }
}
