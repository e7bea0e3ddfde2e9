import type { Command } from 'commander';
import { commonGlobals, globalsOf, honours } from './global-options.ts';

/**
 * `runs` (list the runs of every mode in State/trading.db) and `runs show <id>` (one run's report
 * from its rows). Read-only: the state database is opened read-only, so both work beside a
 * running daemon. The action loads the rest (src/cli/runs-view.ts) when it runs.
 */
export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list the runs in the state database, newest first: status, account, equity, open positions, fills')
    .option('--limit <n>', 'at most this many runs (0 = all)', '20')
    .option('--status <status>', 'only runs with this status: running | completed | interrupted | failed | crashed | abandoned')
    .option('--account <id>', 'only runs of this forward account (forward.account)')
    .action(async (o: { limit: string; status?: string; account?: string }, cmd: Command) => {
      const { listRunsCommand } = await import('./runs-view.ts');
      const g = globalsOf(cmd);
      await listRunsCommand(commonGlobals(g), { limit: o.limit, status: o.status, account: o.account, mode: g.mode });
    });
  honours(runs, [['mode', 'only runs of this kind: backtest | dry-run | forward | live | walkforward | rank']]);

  runs
    .command('show')
    .description("one run's report from the state database (any mode): its header, the backtest report's metrics, open positions and last fills")
    .argument('<id>', 'run id, or a prefix of it that names one run')
    .option('--fills <n>', 'how many of its last fills to print', '10')
    .action(async (id: string, o: { fills: string }, cmd: Command) => {
      const { showRunCommand } = await import('./runs-view.ts');
      await showRunCommand(commonGlobals(globalsOf(cmd)), id, { fills: o.fills });
    });
}
