import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/domain/signal.ts';
import { HostGroup } from '../../../src/workers/host-group.ts';
import { createStrategyHost } from '../../../src/workers/host-factory.ts';
import type { StrategyHost } from '../../../src/workers/strategy-host.ts';
import { SupervisedStrategyHost, type SupervisorStatus } from '../../../src/workers/supervised-host.ts';
import { runBacktestCli, runBacktestInProcess, tempWorkspace } from '../../support/backtest-env.ts';
import { CHOPPY_MARKET, SPOT_MARKET, syntheticSeries, writeSyntheticStore } from '../../support/synthetic-store.ts';
import { batchOf, misbehavingSpec } from './helpers/batches.ts';
import { isAlive } from '../../support/processes.ts';

const FIXTURE = { runnerOptions: { skipSourceCheck: true } } as const;
const SYMBOL = 'BTC/USDT';
const stopLater: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(stopLater.splice(0).map((h) => h.stop()));
});

/**
 * The fixture strategy misbehaves on one chosen candle and otherwise trades on hourly moves of
 * more than 1 %, so any candles do: these run on the seeded synthetic market (a choppy one, so the
 * fixture emits every few candles), on every clone.
 */
const btc = (): ReturnType<typeof syntheticSeries> => syntheticSeries('BTC/USDT', CHOPPY_MARKET);

describe('a misbehaving strategy is contained', () => {
  for (const isolation of ['process', 'worker', 'inline'] as const) {
    it(`${isolation}: a handler that throws becomes a CT_ERR_STRATEGY_THREW reply and the host keeps serving`, async () => {
      const c = btc();
      const host = createStrategyHost(misbehavingSpec('thrower', 'throw', c.ts[50]!), { isolation, ...FIXTURE });
      stopLater.push(host);
      await host.start();
      const err = await host.processBatch(batchOf(SYMBOL, c, 0, 100)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CT_ERR_STRATEGY_THREW' });
      expect(String((err as Error).message)).toContain('thrower');
      expect(String((err as Error).message)).toContain(`fixture throws at ${c.ts[50]}`);
      // same host, next candles: still alive and answering
      await expect(host.processBatch(batchOf(SYMBOL, c, 100, 200))).resolves.toBeInstanceOf(Array);
    });
  }

  for (const isolation of ['process', 'worker'] as const) {
    it(`${isolation}: a handler that never returns is detected by missed heartbeats and killed`, async () => {
      const c = btc();
      const host = createStrategyHost(misbehavingSpec('hanger', 'hang', c.ts[20]!), { isolation, ...FIXTURE, heartbeatMs: 100, heartbeatMissLimit: 3 });
      stopLater.push(host);
      await host.start();
      const pid = host.pid;
      const err = await host.processBatch(batchOf(SYMBOL, c, 0, 100)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CT_ERR_STRATEGY_TIMEOUT' });
      expect(String((err as Error).message)).toMatch(/hanger: missed 3 heartbeats/);
      const report = await host.stop();
      expect(report.acknowledged).toBe(false);
      if (pid !== undefined) expect(isAlive(pid)).toBe(false);
    });

    it(`${isolation}: a guest that dies mid-batch rejects with CT_ERR_STRATEGY_DIED and its exit code`, async () => {
      const c = btc();
      const host = createStrategyHost(misbehavingSpec('crasher', 'crash', c.ts[30]!), { isolation, ...FIXTURE });
      stopLater.push(host);
      await host.start();
      const err = await host.processBatch(batchOf(SYMBOL, c, 0, 100)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CT_ERR_STRATEGY_DIED' });
      expect(String((err as Error).message)).toMatch(/crasher: guest .* exited \(code 3/);
      await expect(host.processBatch(batchOf(SYMBOL, c, 100, 110))).rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_DIED' });
    });
  }

  it('the supervisor restarts a crashed strategy with backoff and replays recent candles, while the other strategy goes on', async () => {
    const c = btc();
    const crashTs = c.ts[130]!;
    const statuses: SupervisorStatus[] = [];
    let fed = 0; // rows of c already given to the group: the loop's "recent candles"
    const supervised = (spec: ReturnType<typeof misbehavingSpec>) =>
      new SupervisedStrategyHost(() => createStrategyHost(spec, { isolation: 'process', ...FIXTURE }), {
        restartBaseMs: 50,
        restartCapMs: 200,
        maxRestarts: 3,
        warmupProvider: () => batchOf(SYMBOL, c, Math.max(0, fed - 60), fed),
        onStatus: (s) => statuses.push(s),
      });
    const crasher = supervised(misbehavingSpec('crasher', 'crash', crashTs));
    const steady = supervised(misbehavingSpec('steady', 'none'));
    const group = new HostGroup([crasher, steady]);
    stopLater.push(group);
    await group.start();
    const pidBefore = crasher.pid!;

    const perBatch: Signal[][] = [];
    for (let from = 0; from < 400; from += 100) {
      perBatch.push(await group.processBatch(batchOf(SYMBOL, c, from, from + 100)));
      fed = from + 100;
      if (from === 100) {
        // the crash happened in this batch: the crasher is down, the steady one answered
        expect(crasher.status()).toMatchObject({ state: 'down', lastError: { code: 'CT_ERR_STRATEGY_DIED' } });
        await crasher.settled();
      }
    }
    expect(crasher.status()).toMatchObject({ state: 'up', restarts: 1 });
    expect(crasher.pid).not.toBe(pidBefore);
    expect(isAlive(pidBefore)).toBe(false);
    expect(statuses.filter((s) => s.instanceId === 'crasher').map((s) => s.state)).toEqual(['up', 'down', 'restarting', 'up']);
    expect(steady.status()).toMatchObject({ state: 'up', restarts: 0 });

    // The steady strategy emitted in every batch it saw; the crasher's batch-2 signals are missing,
    // but after the restart it emits again (its history was rebuilt from the replayed candles).
    const by = (id: string, k: number) => perBatch[k]!.filter((s) => s.strategyId === id).length;
    expect([0, 1, 2, 3].every((k) => by('steady', k) > 0)).toBe(true);
    expect(by('crasher', 1)).toBe(0);
    expect(by('crasher', 2) + by('crasher', 3)).toBeGreaterThan(0);
  });

  it('the supervisor gives up a strategy whose replay crashes again (a deterministic fault) after one restart, not max restarts, and skips it from then on', async () => {
    const c = btc();
    const crashTs = c.ts[10]!;
    const host = new SupervisedStrategyHost(() => createStrategyHost(misbehavingSpec('doomed', 'crash', crashTs), { isolation: 'worker', ...FIXTURE }), {
      restartBaseMs: 10,
      restartCapMs: 20,
      maxRestarts: 2,
      // replaying the fatal candle makes every restart crash again: no second restart is tried
      warmupProvider: () => batchOf(SYMBOL, c, 0, 20),
    });
    stopLater.push(host);
    await host.start();
    expect(await host.processBatch(batchOf(SYMBOL, c, 0, 20))).toEqual([]);
    await host.settled();
    expect(host.status()).toMatchObject({ state: 'failed', restarts: 1, lastError: { code: 'CT_ERR_STRATEGY_DIED' } });
    expect(host.status().lastError?.message).toMatch(/doomed given up: it failed again while replaying 20 recent candles after restart 1/);
    expect(await host.processBatch(batchOf(SYMBOL, c, 20, 40))).toEqual([]);
    expect(host.status().skippedBatches).toBe(1);
  });
});

describe('a strategy that fails ends a backtest with a clear error, never a wrong result', () => {
  const ws = tempWorkspace('ct-fail-bt-');
  let base: string[];
  /** The failing candle: day 20 of the synthetic market, well after every warm-up. */
  const atTs = SPOT_MARKET.from + 20 * 24 * 3_600_000;

  beforeAll(async () => {
    const market = await writeSyntheticStore(ws.dataDir, SPOT_MARKET);
    base = [
      ...ws.sets, ...market.sets, 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma,fail_at', 'strategies.custom_dir=tests/fixtures/failing-strategies',
      `strategy.fail_at.at_ts=${atTs}`,
    ];
  });

  /** The run as the runs table recorded it, and whether it left a results folder. */
  function recorded(errorCode: string): { status: string; error: string; results: boolean } {
    const db = new Database(ws.stateDb, { readonly: true });
    const row = db.prepare(`SELECT id, status, error FROM runs WHERE error LIKE ? ORDER BY started_at DESC LIMIT 1`).get(`${errorCode}:%`) as { id: string; status: string; error: string } | undefined;
    db.close();
    expect(row, `a run with error ${errorCode}`).toBeDefined();
    return { status: row!.status, error: row!.error, results: existsSync(join(ws.root, 'results', row!.id)) };
  }

  it('process (the CLI, as a user runs it): a strategy that throws exits 1 with one CT_ERR_STRATEGY_THREW line naming it and the candle, no stack trace', async () => {
    const r = await runBacktestCli([...base, 'strategy.fail_at.mode=throw', 'strategies.isolation=process']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toBe(`CT_ERR_STRATEGY_THREW: strategy fail_at: onCandle threw on BTC/USDT at candle ${atTs}: fail_at fixture throws at ${atTs}`);
    // every other stderr line is a JSON log record: nothing like a raw stack trace
    for (const line of r.stderr.trim().split('\n').slice(0, -1)) expect(() => JSON.parse(line), line).not.toThrow();
    expect(recorded('CT_ERR_STRATEGY_THREW')).toEqual({ status: 'failed', error: last, results: false });
  }, 180_000);

  const CASES = [
    { mode: 'throw', isolation: 'inline', code: 'CT_ERR_STRATEGY_THREW', says: `strategy fail_at: onCandle threw on BTC/USDT at candle ${atTs}: fail_at fixture throws at ${atTs}`, sets: [] },
    // heartbeats every 250 ms, 8 missed (2 s) = hung: quick, and no false alarm on a loaded machine
    { mode: 'hang', isolation: 'worker', code: 'CT_ERR_STRATEGY_TIMEOUT', says: 'strategy fail_at: missed 8 heartbeats', sets: ['strategies.heartbeat_ms=250', 'strategies.heartbeat_miss_limit=8'] },
    { mode: 'die', isolation: 'process', code: 'CT_ERR_STRATEGY_DIED', says: 'strategy fail_at: guest process', sets: [], names: 'Error: fail_at fixture: the strategy process dies here' },
  ] as const;
  for (const c of CASES) {
    it(`${c.isolation}: a strategy that ${c.mode === 'die' ? 'dies' : `${c.mode}s`} fails the run with ${c.code} (exit 1), recorded as failed, with no results`, async () => {
      const r = await runBacktestInProcess([...base, `strategy.fail_at.mode=${c.mode}`, `strategies.isolation=${c.isolation}`, ...c.sets]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.startsWith(`${c.code}: ${c.says}`), r.stderr).toBe(true);
      // A dead guest's error names what its stderr said went wrong, not the stack's last frames.
      if ('names' in c) expect(r.stderr.split('\n')[0]).toContain(c.names);
      expect(recorded(c.code)).toMatchObject({ status: 'failed', results: false });
    });
  }

  it('the same run without the failure completes and trades (the failure is what ended the others)', async () => {
    const r = await runBacktestInProcess([...base, 'strategy.fail_at.at_ts=1', 'strategies.isolation=inline']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary!.trades as number).toBeGreaterThan(0);
    expect(readdirSync(join(ws.root, 'results'))).toContain(r.runId);
  });
});
