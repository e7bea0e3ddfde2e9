import { dryRunSymbolsProblems } from '../../config/checks.ts';
import type { RawConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { CtError } from '../../core/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { simulatedExecution } from '../account.ts';
import { writeRunResults } from '../run-results.ts';
import { runSession, type SessionStatus } from '../session.ts';
import { statusReporter } from '../status-line.ts';
import { syntheticSource } from '../synthetic-source.ts';
import type { ModeModule } from './mode.ts';

export interface DryRunOutcome {
  readonly runId: string;
  readonly status: SessionStatus;
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
  /** results/<run-id>/, written from the run's rows when it stops (like a backtest's). */
  readonly resultsDir: string;
}

/**
 * Dry-run: the whole daemon — strategies in their own processes (strategies.isolation), risk
 * gate, paper execution, durable SQLite accounting, supervised hosts — on the seeded synthetic
 * stream, until Ctrl-C or dry_run.max_candles steps. No network. The decision path is the
 * backtest's, step by step; only the source (synthetic) and the durable accounting differ.
 */
export async function runDryRun(inp: { config: Config; raw: RawConfig; logger: Logger; signal?: AbortSignal }): Promise<DryRunOutcome> {
  const { config } = inp;
  const bad = dryRunSymbolsProblems(config);
  if (bad.length > 0) throw new CtError('CT_ERR_CONFIG_INVALID', bad.map((p) => `${config.source}: ${p.message}`).join('\n'), { details: { problems: bad } });
  const log = inp.logger.child({ component: 'dry-run' });
  const maxSteps = config.dry_run.max_candles;
  const pace = config.dry_run.speed > 0 ? 1000 / config.dry_run.speed : 0;
  let report: ReturnType<typeof statusReporter> | undefined;
  return runSession({ config, raw: inp.raw, logger: log, ...(inp.signal ? { signal: inp.signal } : {}) }, {
    mode: 'dry-run',
    runIdPrefix: 'dryrun',
    initialCash: config.dry_run.initial_cash,
    accounting: 'durable',
    supervised: true,
    closeAtEnd: false,
    maxSteps,
    prepare: async () => ({ symbols: config.dry_run.symbols }),
    execution: () => simulatedExecution(config, log),
    async source(p, hosts, ctx) {
      log.info({ runId: ctx.runId, symbols: p.symbols, strategies: config.strategies.enabled, isolation: config.strategies.isolation, pids: hosts.pids() }, 'dry-run started on the synthetic stream');
      return syntheticSource(config, maxSteps);
    },
    async onStep(s, account) {
      report ??= statusReporter(log, () => account.portfolio.openPositions().length);
      report(s);
      if (pace > 0) await new Promise((res) => setTimeout(res, pace));
    },
    async end({ ctx, status, loop, account, hosts }) {
      const eq = loop?.equity;
      const last = eq !== undefined && eq.length > 0 ? eq.at(eq.length - 1).equity : config.dry_run.initial_cash;
      const outcome: DryRunOutcome = {
        runId: ctx.runId, status, steps: loop?.steps ?? 0, candles: loop?.candles ?? 0, signals: loop?.signals ?? 0,
        approved: loop?.approved ?? 0, denied: loop?.denied ?? 0, fills: loop?.fills.length ?? 0, finalEquity: Number(last.toFixed(2)),
        openPositions: account?.portfolio.openPositions().length ?? 0, strategyPids: hosts?.pids() ?? {}, restarts: hosts?.restarts() ?? {},
        resultsDir: await writeRunResults(ctx.db, ctx.runId, config.general.results_dir),
      };
      log.info(outcome, 'dry-run finished');
      return outcome;
    },
  });
}

export const dryRunMode: ModeModule = {
  name: 'dry-run',
  logFile: 'dry-run.log',
  maxCandlesKey: 'dry_run.max_candles',
  symbolsKey: 'dry_run.symbols',
  async run(inp) {
    const r = await runDryRun(inp);
    const text = [
      `dry-run ${r.runId} ${r.status}: ${r.steps} steps, ${r.candles} candles, ${r.signals} signals (${r.approved} approved, ${r.denied} denied), ${r.fills} fills`,
      `final equity ${r.finalEquity.toFixed(2)}, ${r.openPositions} open positions; state in ${inp.config.general.state_dir}/trading.db`,
      `results: ${r.resultsDir}`,
    ].join('\n');
    return { json: { run_id: r.runId, ...r }, text };
  },
};
