import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';
import { globalsOf, honours, shorthandSets } from './global-options.ts';
import { emitResult } from './output.ts';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'profit_factor', 'expectancy', 'total_return'] as const;

interface WalkforwardOptions {
  trainDays?: string;
  testDays?: string;
  stepDays?: string;
  windows?: string;
  objective?: string;
  minTrades?: string;
  grid?: string[];
  steps?: string;
  threads?: string;
}

/**
 * `walkforward`: walk-forward optimisation of one strategy (src/research/walkforward/). Each
 * option mirrors a [walkforward] config key and is passed on as that key's --set, so the config
 * file, --set and the option mean the same; the logic and the output are the research layer's.
 */
export function registerWalkforwardCommand(program: Command): void {
  const wf = program
    .command('walkforward')
    .description('walk-forward optimisation: choose parameters on each train window, run them on the following test window, stitch the out-of-sample equity')
    .option('--train-days <n>', 'days of each train window (walkforward.train_days)')
    .option('--test-days <n>', 'days of each out-of-sample test window (walkforward.test_days)')
    .option('--step-days <n>', 'days between window starts; 0 = test days (walkforward.step_days)')
    .option('--windows <kind>', 'rolling | anchored (walkforward.windows)')
    .option('--objective <name>', `what the choice maximises: ${OBJECTIVES.join(', ')} (walkforward.objective)`)
    .option('--min-trades <n>', 'a parameter set with fewer train trades is never chosen (walkforward.min_trades)')
    .option('--grid <key=v1,v2>', 'parameter grid, e.g. strategy.simple_ma.fast=10,20,30 (repeatable); default: every parameter\'s schema range in --steps values', collect)
    .option('--steps <n>', 'values per parameter over its schema range when no --grid is given (walkforward.steps)')
    .option('--threads <n>', 'worker threads for the train evaluations (default: all cores)')
    .action(async (o: WalkforwardOptions, cmd: Command) => runWalkforwardCommand(o, cmd));
  honours(wf, [
    ['strategies', 'the one strategy to optimise (default: strategies.enabled, which must then name one)'],
    ['symbols', 'comma list; traded together in every evaluation (default: market.symbols)'],
    'timeframe',
    'market',
    ['from', 'start of the whole walk-forward range (backtest.from)'],
    ['to', 'end of the whole walk-forward range, exclusive (backtest.to)'],
  ]);
}

function wholeNumber(flag: string, v: string | undefined, min: number): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw new CtError('CT_ERR_USAGE', `${flag} ${v}: expected a whole number >= ${min}`, { details: { option: flag, value: v } });
  return String(Number(v));
}

/** The options as [walkforward] overrides, each checked with a line naming the option. */
function optionSets(o: WalkforwardOptions): string[] {
  if (o.windows !== undefined && o.windows !== 'rolling' && o.windows !== 'anchored') {
    throw new CtError('CT_ERR_USAGE', `--windows ${o.windows}: expected rolling or anchored`, { details: { option: '--windows', value: o.windows } });
  }
  if (o.objective !== undefined && !(OBJECTIVES as readonly string[]).includes(o.objective)) {
    throw new CtError('CT_ERR_USAGE', `--objective ${o.objective}: unknown objective; expected one of ${OBJECTIVES.join(', ')}`, { details: { option: '--objective', value: o.objective } });
  }
  if (o.grid !== undefined && o.steps !== undefined) {
    throw new CtError('CT_ERR_USAGE', `--steps ${o.steps} with --grid: they are alternatives (--grid lists the values; --steps spreads values over each parameter's schema range)`, { details: { option: '--steps', value: o.steps } });
  }
  const pairs: Array<[string, string | undefined]> = [
    ['train_days', wholeNumber('--train-days', o.trainDays, 1)],
    ['test_days', wholeNumber('--test-days', o.testDays, 1)],
    ['step_days', wholeNumber('--step-days', o.stepDays, 0)],
    ['windows', o.windows],
    ['objective', o.objective],
    ['min_trades', wholeNumber('--min-trades', o.minTrades, 0)],
    ['steps', wholeNumber('--steps', o.steps, 2)],
  ];
  return pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `walkforward.${k}=${v}`);
}

async function runWalkforwardCommand(o: WalkforwardOptions, cmd: Command): Promise<void> {
  const g = globalsOf(cmd);
  const own = optionSets(o);
  const { availableParallelism } = await import('node:os');
  const threads = o.threads !== undefined ? Number(wholeNumber('--threads', o.threads, 1)) : availableParallelism();
  const [{ buildContext }, { parseGrid, checkGridKeys }, { runWalkforward }, { walkforwardTable }, { loadStrategy, resolveStrategySource }, { resolve }] = await Promise.all([
    import('./context.ts'),
    import('./sweep-plan.ts'),
    import('../research/walkforward/run-walkforward.ts'),
    import('../research/walkforward/summary.ts'),
    import('../strategies/loader.ts'),
    import('node:path'),
  ]);
  const axes = parseGrid(o.grid ?? []);
  const ctx = await buildContext({ ...g, mode: 'backtest' }, 'walkforward.log', own);
  const c = ctx.config;
  if (c.backtest.from === null || c.backtest.from === undefined || c.backtest.to === null || c.backtest.to === undefined) {
    throw new CtError('CT_ERR_USAGE', 'walkforward needs a whole range: give --from and --to (or backtest.from / backtest.to)');
  }
  const strategies = c.strategies.enabled;
  if (axes.length > 0 && strategies.length === 1) {
    const schema = (await loadStrategy(resolveStrategySource(strategies[0]!, resolve(c.strategies.custom_dir)))).schema;
    checkGridKeys(axes, strategies, () => Object.keys(schema.inputs));
  }
  const sets = [...shorthandSets(g), ...own, 'general.mode=backtest'];
  const progress = await evaluationProgress();
  let r;
  try {
    r = await runWalkforward({ configFile: g.config, sets, config: c, raw: ctx.raw, logger: ctx.logger, grid: axes, threads, onEvaluation: progress.done });
  } finally {
    progress.stop();
  }
  const head = `walkforward ${r.runId}: ${r.summary.window_count} windows, results: ${r.resultsDir}`;
  emitResult(g.json, { run_id: r.runId, results_dir: r.resultsDir, ...r.summary, windows_table: r.windows }, walkforwardTable(r.summary, r.windows, head));
}

/** A progress bar of the train evaluations on a terminal; nothing otherwise (hundreds of lines would bury the result). */
async function evaluationProgress(): Promise<{ done: (done: number, total: number) => void; stop: () => void }> {
  if (process.stderr.isTTY !== true) return { done: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: 'walkforward [{bar}] {value}/{total} train evaluations | {eta_formatted} left', stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 16 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    done: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
