/**
 * Dashboard read paths (src/server/run-store.ts), on a state database the size a researcher's
 * grows to: one real 73k-candle backtest (its metrics, equity and trades as the backtest wrote
 * them), copied to 200 backtest runs and 5 daemon runs (whose metrics are computed from their
 * rows, as `runs show` does). Targets: the run list (what the page polls every second while
 * something runs) answers in < 150 ms warm; a 73k-point equity curve thinned for the chart in
 * < 100 ms. Medians of several runs after a warm-up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { buildRunReport } from '../../src/app/run-results.ts';
import { applyOverrides, rawFromIniText, validateConfig } from '../../src/config/load.ts';
import { generateSynthetic } from '../../src/data/synthetic.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { openStateDb } from '../../src/persistence/state-db.ts';
import { runListing } from '../../src/server/dashboard-server.ts';
import { RunStore } from '../../src/server/run-store.ts';
import type { BenchResult } from './types.ts';

const BACKTESTS = 200;
const DAEMON_RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(n: number, fn: () => unknown): number {
  const ms: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const t0 = performance.now();
    fn();
    if (i > 0) ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function run(): Promise<BenchResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'ct-bench-serve-'));
  try {
    const count = 73_265;
    const from = Date.UTC(2018, 0, 1);
    const candles = generateSynthetic({ seed: 5, symbols: ['BTC/USDT'], timeframe: '1h', from, count });
    const raw = rawFromIniText(readFileSync(resolve(import.meta.dirname, '..', '..', 'config', 'config.ini'), 'utf8'));
    applyOverrides(raw, [
      `general.state_dir=${join(tmp, 'State')}`, `general.results_dir=${join(tmp, 'results')}`, `general.log_dir=${join(tmp, 'logs')}`, `general.data_dir=${join(tmp, 'data')}`,
      'general.mode=backtest', 'strategies.enabled=simple_ma', 'strategies.isolation=inline', 'market.symbols=BTC/USDT', 'market.timeframe=1h',
      'backtest.from=2018-01-01', `backtest.to=${new Date(from + count * 3_600_000).toISOString().slice(0, 10)}`, 'backtest.auto_download=false',
    ]);
    const config = validateConfig(raw, 'bench');
    const real = await runBacktest({ config, raw, logger: silentLogger(), candles });

    // Copies of the real run: backtests (their summary, no equity rows) and daemon runs (all their rows).
    const db = openStateDb(join(tmp, 'State'));
    const copy = db.transaction(() => {
      for (let i = 0; i < BACKTESTS - 1; i++) {
        const id = `backtest-copy-${i}`;
        db.prepare(`INSERT INTO runs (id, mode, started_at, ended_at, status, config_snapshot, git_commit, pid) SELECT ?, mode, started_at, ended_at, status, config_snapshot, git_commit, pid FROM runs WHERE id = ?`).run(id, real.runId);
        db.prepare(`INSERT INTO backtest_summaries SELECT ?, strategies, symbols, timeframe, from_ts, to_ts, metrics, results_dir FROM backtest_summaries WHERE run_id = ?`).run(id, real.runId);
      }
      for (let i = 0; i < DAEMON_RUNS; i++) {
        const id = `dryrun-copy-${i}`;
        db.prepare(`INSERT INTO runs (id, mode, started_at, ended_at, status, config_snapshot, git_commit, pid) SELECT ?, 'dry-run', started_at, ended_at, status, config_snapshot, git_commit, pid FROM runs WHERE id = ?`).run(id, real.runId);
        for (const t of ['equity', 'trades', 'fills']) {
          const cols = (db.prepare(`SELECT name FROM pragma_table_info('${t}') WHERE name <> 'run_id'`).all() as Array<{ name: string }>).map((c) => c.name).join(', ');
          db.prepare(`INSERT INTO ${t} (run_id, ${cols}) SELECT ?, ${cols} FROM ${t} WHERE run_id = ?`).run(id, real.runId);
        }
      }
    });
    copy();
    db.close();

    const store = new RunStore(join(tmp, 'State'), join(tmp, 'results'), 5000, (d, r) => buildRunReport(d, r).metrics);
    const t0 = performance.now();
    const listed = runListing(store).length;
    const coldMs = performance.now() - t0;
    const warmMs = timed(10, () => runListing(store));
    const equityMs = timed(10, () => store.equity(real.runId));
    const points = store.equity(real.runId).length;
    return [
      { name: `run list, ${listed} runs, first (daemon metrics computed)`, value: coldMs, unit: 'ms' },
      { name: `run list, ${listed} runs, warm`, value: warmMs, unit: 'ms', target: '< 150 ms', pass: warmMs < 150 },
      { name: `equity of a ${count}-candle run thinned to ${points} points`, value: equityMs, unit: 'ms', target: '< 100 ms', pass: equityMs < 100 },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
