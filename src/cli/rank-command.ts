import type { Command } from 'commander';
import { globalsOf, honours } from './global-options.ts';
import { emitResult } from './output.ts';

/**
 * `rank`: the 4-hour ranking evaluation (docs/research.md). Over the universe rank.symbols, at
 * every evaluation time t (every rank.shift_hours), features from candles closed by t are
 * normalised across the universe, the evaluation's gates skip too volatile or too illiquid
 * symbols, and each ranking strategy (rank.strategies, compared side by side) selects at most
 * rank.max_positions; each selection's return over [t, t + rank.window_hours] after costs is a
 * slice (slice_results, results/<run-id>/slices.csv). Ends with the strategies' metrics table.
 */
export function registerRankCommand(program: Command): void {
  const rank = program
    .command('rank')
    .description('the 4-hour ranking evaluation: rank the universe at every shift, measure each selection after costs, compare ranking strategies side by side')
    .option('--shift-hours <n>', 'hours between evaluation times (rank.shift_hours)')
    .option('--window-hours <n>', 'hours each selection is held (rank.window_hours)')
    .option('--max-positions <n>', 'at most this many selections at a time (rank.max_positions)')
    .option('--normalize <how>', 'zscore | percentile, across the universe (rank.normalize)')
    .action(async (o: RankOptions, cmd: Command) => runRankCommand(o, cmd));
  honours(rank, [
    ['strategies', 'comma list of ranking strategies to compare (default: rank.strategies)'],
    ['symbols', 'the universe, a comma list (default: rank.symbols)'],
    ['timeframe', 'base candles read from the store (default: market.timeframe)'],
    'market',
    'from',
    'to',
  ]);
}

interface RankOptions {
  readonly shiftHours?: string;
  readonly windowHours?: string;
  readonly maxPositions?: string;
  readonly normalize?: string;
}

/** Each option is the shorthand of one [rank] key, validated (and named in errors) as that key. */
const OPTION_KEYS: ReadonlyArray<readonly [keyof RankOptions, string]> = [
  ['shiftHours', 'rank.shift_hours'],
  ['windowHours', 'rank.window_hours'],
  ['maxPositions', 'rank.max_positions'],
  ['normalize', 'rank.normalize'],
];

async function runRankCommand(o: RankOptions, cmd: Command): Promise<void> {
  const g = globalsOf(cmd);
  // --strategies and --symbols are the ranking run's own lists, not the trading ones.
  const extra: string[] = [];
  if (g.strategies !== undefined) extra.push(`rank.strategies=${g.strategies}`);
  if (g.symbols !== undefined) extra.push(`rank.symbols=${g.symbols}`);
  for (const [opt, key] of OPTION_KEYS) if (o[opt] !== undefined) extra.push(`${key}=${o[opt]}`);
  const [{ buildContext }, { runRank }] = await Promise.all([import('./context.ts'), import('../research/rank/run-rank.ts')]);
  const ctx = await buildContext({ ...g, strategies: undefined, symbols: undefined }, 'rank.log', extra);
  const r = await runRank({ config: ctx.config, raw: ctx.raw, logger: ctx.logger });
  const s = r.summary;
  const head = `rank ${String(s.from)} -> ${String(s.to)}: ${r.evaluation.times.length} evaluation times, ${r.evaluation.slices.length} slices; results in ${r.resultsDir}`;
  const skipped = `skipped symbol-times: ${Object.entries(r.evaluation.skipped).map(([k, v]) => `${k} ${v}`).join(', ')}`;
  emitResult(g.json, s, `${head}\n${skipped}\n\n${r.table}`);
}
