import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { runBacktest } from './modes/backtest.ts';

/** One independent backtest as plain data, so it can run in a piscina worker thread. */
export interface BacktestJob {
  readonly configFile: string;
  /** Every `section.key=value` override of this job (strategy, symbol, parameters, command-line options), applied in order. */
  readonly sets: readonly string[];
}

export interface BacktestJobResult {
  readonly runId: string;
  /** `interrupted`: the sweep was stopped while this job ran; its results cover what ran. */
  readonly status: 'completed' | 'interrupted';
  readonly resultsDir: string;
  readonly summary: Record<string, unknown>;
  readonly candles: number;
}

/**
 * The piscina job: load and validate the config with the job's overrides and run one backtest.
 * The overrides are used exactly as given; `sweep` starts them with `strategies.isolation=inline`
 * (the job itself is the unit of isolation and parallelism, and a thread spawning processes would
 * only add cost) so that only an --isolation or --set on the command line changes it.
 */
export async function runBacktestJob(job: BacktestJob, opts: { readonly signal?: AbortSignal } = {}): Promise<BacktestJobResult> {
  const { config, raw } = loadConfig({ file: job.configFile, sets: [...job.sets] });
  const logger = createLogger({ level: config.general.log_level, logDir: config.general.log_dir, fileName: 'sweep.log', human: false, stderrLevel: 'fatal' });
  const r = await runBacktest({ config, raw, logger, ...(opts.signal ? { signal: opts.signal } : {}) });
  return { runId: r.runId, status: r.status, resultsDir: r.resultsDir, summary: r.summary, candles: r.candles };
}
