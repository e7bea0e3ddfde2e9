/**
 * A strategy cannot hang the machine: it dies with the daemon whatever it is doing, it is stopped
 * at its memory cap, a deterministic fault is given up instead of replayed forever, and a strategy
 * that failed long ago gets its restarts back. Real CLI daemons, real child processes, real SQLite.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateDb } from '../../../src/persistence/state-db.ts';
import { StrategyEventWriter } from '../../../src/persistence/strategy-events.ts';
import { createStrategyHost } from '../../../src/workers/host-factory.ts';
import { SupervisedStrategyHost, type SupervisorStatus } from '../../../src/workers/supervised-host.ts';
import { CHOPPY_MARKET, syntheticSeries } from '../../support/synthetic-store.ts';
import { batchOf } from './helpers/batches.ts';
import { childrenOf, cmdline, FAILING, HOSTILE, procStat, runCli, running, sets, startCli, tempProject } from './helpers/temp-project.ts';

const projects: string[] = [];
afterAll(() => {
  for (const p of projects) rmSync(p, { recursive: true, force: true });
});
function project(): string {
  const p = tempProject();
  projects.push(p);
  return p;
}

interface EventRow { seq: number; instance_id: string; kind: string; code: string | null; message: string }
function events(dir: string, runId: string): EventRow[] {
  const db = new Database(join(dir, 'State', 'trading.db'), { readonly: true });
  try {
    return db.prepare('SELECT seq, instance_id, kind, code, message FROM strategy_events WHERE run_id = ? ORDER BY seq').all(runId) as EventRow[];
  } finally {
    db.close();
  }
}
function runRow(dir: string, runId: string): { status: string } {
  const db = new Database(join(dir, 'State', 'trading.db'), { readonly: true });
  try {
    return db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string };
  } finally {
    db.close();
  }
}
const summary = (stdout: string): { run_id: string; status: string; steps: number } => JSON.parse(stdout.trim().split('\n').at(-1)!);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.platform === 'linux')('a strategy in an endless loop', () => {
  it('leaves no strategy process behind 2 s after the daemon is SIGKILLed', async () => {
    const dir = project();
    const daemon = startCli(dir, [
      '--dry-run', '--json',
      // Slow steps and a lenient heartbeat: the daemon must not notice the hang and kill the guest itself.
      ...sets(['strategies.enabled=simple_ma,endless_loop', `strategies.custom_dir=${HOSTILE}`, 'strategies.isolation=process', 'dry_run.speed=5',
        'strategies.heartbeat_ms=1000', 'strategies.heartbeat_miss_limit=100']),
    ]);
    const pid = daemon.child.pid!;
    // Wait until the endless_loop guest is spinning: a child of the daemon that has burnt 1.5 s of
    // CPU (loading a strategy takes far less CPU time, however loaded the machine is).
    let spinning: number | undefined;
    for (let i = 0; i < 300 && spinning === undefined; i++) {
      await sleep(100);
      const guests = childrenOf(pid).filter((c) => cmdline(c).includes('strategy-guest'));
      spinning = guests.find((c) => (procStat(c)?.cpuTicks ?? 0) >= 150 && procStat(c)?.state === 'R');
    }
    expect(spinning, 'the endless_loop strategy process never started spinning').toBeDefined();
    const guests = childrenOf(pid).filter((c) => cmdline(c).includes('strategy-guest'));
    expect(guests.length).toBe(2);

    daemon.child.kill('SIGKILL');
    await daemon.done;
    await sleep(2000);
    const left = guests.filter(running);
    // A failing run must not leave a spinning process on the machine.
    for (const g of left) process.kill(g, 'SIGKILL');
    expect(left, `strategy processes still running 2 s after the daemon died: ${left.join(', ')}`).toEqual([]);
  }, 60_000);
});

describe('a strategy that allocates without bound', () => {
  // heap: V8's heap limit (--max-old-space-size); buffer: typed arrays outside the heap, which the
  // strategy process's watchdog stops by its resident memory.
  it.each(['heap', 'buffer'])('(%s) is stopped at its memory cap with CT_ERR_STRATEGY_MEMORY naming it and the cap, and the daemon finishes the run', async (kind) => {
    const dir = project();
    const r = await runCli(dir, [
      '--dry-run', '--max-candles', '60', '--json',
      ...sets(['strategies.enabled=simple_ma,memory_hog', `strategies.custom_dir=${HOSTILE}`, `strategy.memory_hog.kind=${kind}`, 'strategies.isolation=process', 'strategies.max_memory_mb=64',
        'strategies.restart_base_ms=20', 'dry_run.speed=40']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r.stdout);
    expect(s.status).toBe('completed');
    expect(s.steps).toBe(60);
    expect(runRow(dir, s.run_id).status).toBe('completed');
    const memory = events(dir, s.run_id).filter((e) => e.code === 'CT_ERR_STRATEGY_MEMORY');
    expect(memory.length).toBeGreaterThan(0);
    expect(memory[0]!.instance_id).toBe('memory_hog');
    expect(memory[0]!.message).toContain('memory_hog');
    expect(memory[0]!.message).toContain('64 MB');
    // The other strategy went on untouched: it started and stopped with the run, nothing between.
    expect(events(dir, s.run_id).filter((e) => e.instance_id === 'simple_ma').map((e) => e.kind)).toEqual(['up', 'stopped']);
  }, 60_000);
});

describe('a deterministic fault', () => {
  it('is given up after one failed replay, with one event saying so, and the run goes on', async () => {
    const dir = project();
    const r = await runCli(dir, [
      '--dry-run', '--max-candles', '60', '--json',
      ...sets(['strategies.enabled=simple_ma,fail_on_count', `strategies.custom_dir=${FAILING}`, 'strategy.fail_on_count.at=5', 'strategies.isolation=process',
        'strategies.restart_base_ms=20', 'strategies.max_restarts=10', 'dry_run.speed=40']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r.stdout);
    expect(s.status).toBe('completed');
    const mine = events(dir, s.run_id).filter((e) => e.instance_id === 'fail_on_count');
    // up -> down (the fault) -> restarting (one restart) -> failed (given up during the replay) ->
    // stopped with the run: no second restart.
    expect(mine.map((e) => e.kind)).toEqual(['up', 'down', 'restarting', 'failed', 'stopped']);
    const gaveUp = mine.filter((e) => e.kind === 'failed');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.code).toBe('CT_ERR_STRATEGY_THREW');
    expect(gaveUp[0]!.message).toMatch(/fail_on_count given up: it failed again while replaying \d+ recent candles after restart 1/);
    expect(gaveUp[0]!.message).toContain('throws on candle 5');
  }, 60_000);
});

describe('the restart count', () => {
  const c = syntheticSeries('BTC/USDT', CHOPPY_MARKET);
  const spec = {
    instanceId: 'flaky', strategyId: 'fail_on_count', source: { kind: 'file' as const, path: join(FAILING, 'fail_on_count.ts') },
    params: { at: 6 }, symbols: ['BTC/USDT'], timeframe: '1h' as const, market: 'spot' as const,
  };

  /**
   * Process-local count: the first process fails on candle 6; a restart replays the last 2 candles,
   * so the new process fails again 4 candles later. With max_restarts = 1 the second failure gives
   * the strategy up, unless it ran healthy for the reset period in between.
   */
  async function failTwice(waitBetweenMs: number): Promise<{ final: SupervisorStatus; kinds: string[] }> {
    const dir = project();
    const db = openStateDb(dir);
    const runId = 'reset-test';
    db.prepare(`INSERT INTO runs (id, mode, started_at, status, config_snapshot) VALUES (?, 'dry-run', '2024-01-01T00:00:00Z', 'running', '{}')`).run(runId);
    const writer = new StrategyEventWriter(db, runId);
    let last: SupervisorStatus | undefined;
    let fed = 0;
    const host = new SupervisedStrategyHost(() => createStrategyHost(spec, { isolation: 'process' }), {
      maxRestarts: 1, restartBaseMs: 10, restartResetMs: 300,
      warmupProvider: () => batchOf('BTC/USDT', c, fed - 2, fed),
      onStatus: (st) => {
        last = st;
        writer.record({ instanceId: st.instanceId, kind: st.state, code: st.lastError?.code ?? null, message: st.lastError?.message ?? st.state });
      },
    });
    await host.start();
    const feed = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        await host.processBatch(batchOf('BTC/USDT', c, fed, fed + 1));
        fed++;
        await host.settled();
      }
    };
    await feed(6); // fails on the 6th, restarts with 2 replayed
    expect(last?.state).toBe('up');
    expect(last?.restarts).toBe(1);
    await sleep(waitBetweenMs);
    await feed(4); // fails again on its 6th candle
    const final = last!;
    await host.stop();
    const kinds = (db.prepare('SELECT kind FROM strategy_events WHERE run_id = ? ORDER BY seq').all(runId) as Array<{ kind: string }>).map((r) => r.kind);
    db.close();
    return { final, kinds };
  }

  it('resets after a healthy period, so a strategy that failed long ago is restarted again', async () => {
    const { final, kinds } = await failTwice(400);
    expect(final.state).toBe('up');
    expect(final.restarts).toBe(1);
    expect(kinds).toEqual(['up', 'down', 'restarting', 'up', 'down', 'restarting', 'up', 'stopped']);
  }, 30_000);

  it('does not reset without that healthy period: the second failure gives the strategy up at max_restarts', async () => {
    const { final, kinds } = await failTwice(0);
    expect(final.state).toBe('failed');
    expect(kinds).toEqual(['up', 'down', 'restarting', 'up', 'failed', 'stopped']);
  }, 30_000);
});
