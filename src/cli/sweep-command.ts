import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { BacktestJob, BacktestJobResult } from '../app/backtest-job.ts';
import { CtError } from '../core/errors.ts';
import { runParallel } from '../workers/parallel-backtests.ts';
import { buildContext } from './context.ts';
import { mergedGlobals } from './global-options.ts';
import { emitResult } from './output.ts';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** Cartesian product of `key=v1,v2,...` grids as lists of `key=v` overrides. */
export function expandGrid(grids: readonly string[]): string[][] {
  let combos: string[][] = [[]];
  for (const g of grids) {
    const eq = g.indexOf('=');
    if (eq <= 0) throw new CtError('CT_ERR_USAGE', `--grid ${g}: expected section.key=v1,v2,... (e.g. --grid strategy.simple_ma.fast=10,20,30)`);
    const key = g.slice(0, eq);
    const values = g.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) throw new CtError('CT_ERR_USAGE', `--grid ${g}: no values`);
    combos = combos.flatMap((c) => values.map((v) => [...c, `${key}=${v}`]));
  }
  return combos;
}

/**
 * `sweep`: many independent backtests from one command — every strategy x symbol x parameter
 * combination — run in parallel on a piscina pool. Each job is a full backtest with its own
 * results/<run-id>/ and database rows; the command prints one line per job.
 */
export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run many backtests in parallel (strategies x symbols x --grid parameter sets) on all cores')
    .option('--strategies <ids>', 'comma list; each strategy is its own job (default: strategies.enabled)')
    .option('--symbols <list>', 'comma list; each symbol is its own job (default: market.symbols)')
    .option('--grid <key=v1,v2>', 'parameter grid, e.g. strategy.simple_ma.fast=10,20,30 (repeatable)', collect)
    .option('--threads <n>', 'worker threads (default: all cores)')
    .action(async (o: { strategies?: string; symbols?: string; grid?: string[]; threads?: string }, cmd: Command) => {
      const g = mergedGlobals(cmd);
      const ctx = await buildContext(g, 'sweep.log');
      const strategies = o.strategies ? o.strategies.split(',').map((s) => s.trim()) : [...ctx.config.strategies.enabled];
      const symbols = o.symbols ? o.symbols.split(',').map((s) => s.trim()) : [...ctx.config.market.symbols];
      const combos = expandGrid(o.grid ?? []);
      const threads = o.threads ? Number(o.threads) : availableParallelism();
      if (!Number.isInteger(threads) || threads < 1) throw new CtError('CT_ERR_USAGE', `--threads ${o.threads}: expected a whole number >= 1`);
      const jobs: BacktestJob[] = [];
      const labels: string[] = [];
      for (const s of strategies) for (const sym of symbols) for (const c of combos) {
        jobs.push({ configFile: g.config, sets: [...g.set, `strategies.enabled=${s}`, `market.symbols=${sym}`, ...c] });
        labels.push([s, sym, ...c].join(' '));
      }
      // Validate every job's config up front (exit 2 on the first bad one), before any work starts.
      for (const j of jobs) await buildContext({ ...g, set: [...j.sets] }, 'sweep.log');
      ctx.logger.info({ jobs: jobs.length, threads }, 'sweep started');
      const results = await runParallel<BacktestJob, BacktestJobResult>(jobs, { threads });
      const rows = results.map((r, i) =>
        r.ok
          ? { job: labels[i]!, ok: true as const, ms: Math.round(r.ms), run_id: r.value.runId, results_dir: r.value.resultsDir, summary: r.value.summary }
          : { job: labels[i]!, ok: false as const, ms: Math.round(r.ms), error: r.error.toLine() },
      );
      const text = rows.map((r) => (r.ok ? `ok     ${r.job}  ${r.run_id}  ${r.results_dir}` : `FAILED ${r.job}  ${r.error}`)).join('\n');
      emitResult(ctx.opts.json, { jobs: rows }, text);
      if (results.some((r) => !r.ok)) throw new CtError('CT_ERR_RUN_FAILED', `${results.filter((r) => !r.ok).length} of ${jobs.length} backtests failed`);
    });
}
