import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvRows, runBacktestCli, tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { query, startCli, waitFor } from '../../support/daemon-process.ts';
import { SPOT_MARKET, writeSyntheticStore } from '../../support/synthetic-store.ts';
import { expectOneCleanLine, setArgs } from './cli-env.ts';

interface RunJson {
  id: string; mode: string; status: string; account: string | null; equity: number | null; open_positions: number; fills: number;
  last_step_ts: number | null; ended_at: string | null;
}
interface DryRunSummary { run_id: string; status: string; steps: number; fills: number; finalEquity: number; openPositions: number; resultsDir: string }

const ws = tempWorkspace('ct-runs-view-');
const runs = (args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => runCliProcess([...args, ...setArgs(ws.sets)], 60_000);
const listed = async (args: readonly string[] = []): Promise<RunJson[]> => {
  const r = await runs(['runs', '--json', ...args]);
  expect(r.stderr).not.toMatch(/CT_ERR_/);
  expect(r.code).toBe(0);
  // One JSON document: the whole of stdout parses.
  return (JSON.parse(r.stdout) as { runs: RunJson[] }).runs;
};

/** A dry-run daemon as an operator starts it, one strategy in process, ended by its step limit. */
function dryRunArgs(extra: readonly string[]): string[] {
  return ['--dry-run', '--strategies', 'simple_ma', '--isolation', 'inline', '--json', ...setArgs(ws.sets), ...extra];
}

let backtest: { runId: string; resultsDir: string; finalEquity: number };
let dry: DryRunSummary;
let interrupted: string;

describe('runs: the operator view over the state database', () => {
  beforeAll(async () => {
    const market = await writeSyntheticStore(ws.dataDir, SPOT_MARKET);
    const b = await runBacktestCli([...ws.sets, ...market.sets, 'strategies.enabled=simple_ma', 'strategies.isolation=inline']);
    expect(b.stderr).not.toMatch(/CT_ERR_/);
    backtest = { runId: b.runId!, resultsDir: b.resultsDir!, finalEquity: b.summary!.final_equity as number };

    const d = await runCliProcess(dryRunArgs(['--max-candles', '300']), 90_000);
    expect(d.stderr).not.toMatch(/CT_ERR_/);
    expect(d.code).toBe(0);
    dry = JSON.parse(d.stdout.trim().split('\n').at(-1)!) as DryRunSummary;

    // A dry-run stopped with Ctrl-C while it trades (20 steps a second): it ends interrupted.
    const c = startCli(dryRunArgs(['--set', 'dry_run.speed=20', '--set', 'dry_run.seed=7']));
    let id = '';
    await waitFor(() => {
      const r = query<{ id: string; n: number }>(ws.stateDb, "SELECT r.id, (SELECT COUNT(*) FROM equity e WHERE e.run_id = r.id) n FROM runs r WHERE r.pid = ? AND r.status = 'running'", c.pid)[0];
      id = r?.id ?? '';
      return r !== undefined && r.n >= 10;
    }, 60_000, 'the daemon trading');
    // Listed while the daemon writes: the view is a read-only WAL reader beside it.
    const live = await listed(['--status', 'running']);
    expect(live.map((r) => r.id)).toEqual([id]);
    expect(live[0]!.equity).toEqual(expect.any(Number));
    c.child.kill('SIGINT');
    const exit = await c.exited;
    expect(exit.code).toBe(0);
    interrupted = id;
  }, 240_000);

  it('lists runs of every mode newest first, with status, last equity, open positions and fill count', async () => {
    const all = await listed();
    expect(all.map((r) => r.id)).toEqual([interrupted, dry.run_id, backtest.runId]);
    expect(all.map((r) => [r.mode, r.status])).toEqual([['dry-run', 'interrupted'], ['dry-run', 'completed'], ['backtest', 'completed']]);
    const d = all[1]!;
    // What the dry-run itself reported when it ended (its loop's numbers, not the database's).
    expect(d.equity!.toFixed(2)).toBe(dry.finalEquity.toFixed(2));
    expect(d.fills).toBe(dry.fills);
    expect(d.open_positions).toBe(dry.openPositions);
    expect(d.ended_at).not.toBeNull();
    const b = all[2]!;
    expect(b.equity).toBeCloseTo(backtest.finalEquity, 4);
    // A backtest closes everything at its last candle.
    expect(b.open_positions).toBe(0);
    expect(b.fills).toBe(csvRows(readFileSync(join(backtest.resultsDir, 'fills.csv'), 'utf8')).length);
    expect(b.last_step_ts).not.toBeNull();
  });

  it('filters by mode, status and account, and --limit keeps the newest', async () => {
    expect((await listed(['--mode', 'backtest'])).map((r) => r.id)).toEqual([backtest.runId]);
    expect((await listed(['--status', 'interrupted'])).map((r) => r.id)).toEqual([interrupted]);
    expect((await listed(['--status', 'completed', '--mode', 'dry-run'])).map((r) => r.id)).toEqual([dry.run_id]);
    // Only forward runs trade a named account.
    expect(await listed(['--account', 'paper'])).toEqual([]);
    expect((await listed(['--limit', '1'])).map((r) => r.id)).toEqual([interrupted]);
  });

  it('prints a human table with one line per run', async () => {
    const r = await runs(['runs']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+MODE\s+STATUS\s+ACCOUNT\s+STARTED/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(dry.run_id);
    expect(lines[2]).toMatch(/dry-run\s+completed/);
  });

  it('refuses an unknown --status with exit 2 naming the value', async () => {
    const r = await runs(['runs', '--status', 'finished']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_USAGE', '--status finished');
    const typo = await runs(['runs', '--status', 'crashd']);
    expect(typo.code).toBe(2);
    expectOneCleanLine(typo.stderr, 'did you mean "crashed"?');
  });

  it('shows a dry-run report whose metrics are its results and agree with its fills and equity', async () => {
    const r = await runs(['runs', 'show', dry.run_id.slice(0, -1), '--json']);
    expect(r.stderr).not.toMatch(/CT_ERR_/);
    expect(r.code).toBe(0);
    const show = JSON.parse(r.stdout) as { run: RunJson; metrics: Record<string, any>; results_dir: string; last_fills: unknown[]; open_positions: unknown[] };
    expect(show.run.id).toBe(dry.run_id);
    // The same numbers the daemon wrote into results/<run-id>/metrics.json when it stopped.
    expect(show.metrics).toEqual(JSON.parse(readFileSync(join(dry.resultsDir, 'metrics.json'), 'utf8')));
    // ...and they are its fills' and equity rows' numbers.
    const fees = query<{ fees: number; n: number }>(ws.stateDb, 'SELECT SUM(fee) fees, COUNT(*) n FROM fills WHERE run_id = ?', dry.run_id)[0]!;
    const trades = query<{ n: number }>(ws.stateDb, 'SELECT COUNT(*) n FROM trades WHERE run_id = ?', dry.run_id)[0]!.n;
    expect(fees.n).toBe(dry.fills);
    expect(show.metrics.costs.fees).toBeCloseTo(fees.fees, 6);
    expect(show.metrics.trades.count).toBe(trades);
    expect(show.metrics.period.candles).toBe(dry.steps);
    expect(show.metrics.returns.finalEquity.toFixed(2)).toBe(dry.finalEquity.toFixed(2));
    expect(show.metrics.returns.totalReturn).toBeCloseTo(dry.finalEquity / 10_000 - 1, 6);
    expect(show.last_fills).toHaveLength(Math.min(10, dry.fills));
    expect(show.open_positions).toHaveLength(dry.openPositions);

    const text = await runs(['runs', 'show', dry.run_id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^run\s+dryrun-/);
    expect(text.stdout).toMatch(/\nmode\s+dry-run\n/);
    expect(text.stdout).toMatch(/\nstatus\s+completed\n/);
    expect(text.stdout).toMatch(/\nTrades\s+\d+\n/);
    expect(text.stdout).toContain(`Last fills (${Math.min(10, dry.fills)} of ${dry.fills})`);
  });

  it('shows a backtest with the metrics it wrote', async () => {
    const r = await runs(['runs', 'show', backtest.runId, '--json']);
    expect(r.code).toBe(0);
    const show = JSON.parse(r.stdout) as { metrics: unknown };
    expect(show.metrics).toEqual(JSON.parse(readFileSync(join(backtest.resultsDir, 'metrics.json'), 'utf8')));
  });

  it('writes results/<run-id>/ of a dry-run when it stops, completed or interrupted, with the files a backtest writes', () => {
    for (const id of [dry.run_id, interrupted]) {
      const dir = join(ws.root, 'results', id);
      expect(readdirSync(dir).sort()).toEqual(['config.ini', 'equity.csv', 'fills.csv', 'metrics.json', 'report.txt', 'trades.csv']);
    }
    expect(csvRows(readFileSync(join(dry.resultsDir, 'fills.csv'), 'utf8'))).toHaveLength(dry.fills);
    expect(csvRows(readFileSync(join(dry.resultsDir, 'equity.csv'), 'utf8'))).toHaveLength(dry.steps);
    expect(readFileSync(join(dry.resultsDir, 'config.ini'), 'utf8')).toMatch(/\[general\]\nmode = dry-run\n/);
    expect(readFileSync(join(dry.resultsDir, 'report.txt'), 'utf8')).toContain(dry.run_id);
    const stopped = JSON.parse(readFileSync(join(ws.root, 'results', interrupted, 'metrics.json'), 'utf8')) as { period: { candles: number } };
    expect(stopped.period.candles).toBe(query<{ n: number }>(ws.stateDb, 'SELECT COUNT(*) n FROM equity WHERE run_id = ?', interrupted)[0]!.n);
  });

  it('exits 2 on an unknown run id, with a did-you-mean over the recent ids, and on an ambiguous prefix', async () => {
    const typo = `${dry.run_id.slice(0, -1)}${dry.run_id.endsWith('0') ? '1' : '0'}x`;
    const r = await runs(['runs', 'show', typo]);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_USAGE', `run id "${typo}"`, `did you mean "${dry.run_id}"?`);
    const both = await runs(['runs', 'show', 'dryrun-']);
    expect(both.code).toBe(2);
    expectOneCleanLine(both.stderr, 'ambiguous', dry.run_id, interrupted);
  });
});

describe('runs without a state database', () => {
  it('says there are no runs yet (exit 0) and --json gives an empty list', async () => {
    const fresh = tempWorkspace('ct-runs-none-');
    const r = await runCliProcess(['runs', ...setArgs(fresh.sets)], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`no runs yet: ${fresh.stateDb} does not exist (it is created by the first run on general.state_dir = ${join(fresh.root, 'State')})`);
    const j = await runCliProcess(['runs', '--json', ...setArgs(fresh.sets)], 60_000);
    expect(JSON.parse(j.stdout)).toEqual({ state_db: fresh.stateDb, exists: false, runs: [] });
    expect(existsSync(fresh.stateDb)).toBe(false);
    const show = await runCliProcess(['runs', 'show', 'dryrun-x', ...setArgs(fresh.sets)], 60_000);
    expect(show.code).toBe(2);
    expectOneCleanLine(show.stderr, 'run id "dryrun-x"', 'does not exist yet');
  }, 60_000);

  it('refuses --mode on runs show, naming runs among the commands that take it', async () => {
    const fresh = tempWorkspace('ct-runs-mode-');
    const r = await runCliProcess(['runs', 'show', 'x', '--mode', 'forward', ...setArgs(fresh.sets)], 60_000);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, '--mode does not apply to "runs show"', 'sweep, runs,');
  }, 60_000);
});
