import { afterEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/domain/signal.ts';
import { HostGroup } from '../../../src/workers/host-group.ts';
import { createStrategyHost } from '../../../src/workers/host-factory.ts';
import type { StrategyHost } from '../../../src/workers/strategy-host.ts';
import { SupervisedStrategyHost, type SupervisorStatus } from '../../../src/workers/supervised-host.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { batchOf, btc1h, misbehavingSpec } from './helpers/batches.ts';

const FIXTURE = { runnerOptions: { skipSourceCheck: true } } as const;
const SYMBOL = 'BTC/USDT';
const stopLater: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(stopLater.splice(0).map((h) => h.stop()));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!HAS_SHARED_DATA)('a misbehaving strategy is contained', () => {
  for (const isolation of ['process', 'worker', 'inline'] as const) {
    it(`${isolation}: a handler that throws becomes a CT_ERR_STRATEGY_THREW reply and the host keeps serving`, async () => {
      const c = btc1h();
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
      const c = btc1h();
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
      const c = btc1h();
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
    const c = btc1h();
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

  it('the supervisor gives up after max restarts and skips the strategy from then on', async () => {
    const c = btc1h();
    const crashTs = c.ts[10]!;
    const host = new SupervisedStrategyHost(() => createStrategyHost(misbehavingSpec('doomed', 'crash', crashTs), { isolation: 'worker', ...FIXTURE }), {
      restartBaseMs: 10,
      restartCapMs: 20,
      maxRestarts: 2,
      // replaying the fatal candle makes every restart crash again
      warmupProvider: () => batchOf(SYMBOL, c, 0, 20),
    });
    stopLater.push(host);
    await host.start();
    expect(await host.processBatch(batchOf(SYMBOL, c, 0, 20))).toEqual([]);
    await host.settled();
    expect(host.status()).toMatchObject({ state: 'failed', restarts: 2, lastError: { code: 'CT_ERR_STRATEGY_DIED' } });
    expect(await host.processBatch(batchOf(SYMBOL, c, 20, 40))).toEqual([]);
    expect(host.status().skippedBatches).toBe(1);
  });
});
