import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import type { StrategySpec } from '../../../src/strategies/strategy-spec.ts';
import { startHostGroup } from '../../../src/workers/host-factory.ts';
import type { HostGroup } from '../../../src/workers/host-group.ts';
import { SupervisedStrategyHost, type SupervisorStatus } from '../../../src/workers/supervised-host.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { batchOf } from './helpers/batches.ts';
import { isAlive } from '../../support/processes.ts';

const SYMBOL = 'BTC/USDT';
const CRASH_ONCE = resolve(REPO_ROOT, 'tests/fixtures/custom-strategies/crash_once.ts');
const candles = generateSynthetic({ seed: 8, symbols: [SYMBOL], timeframe: '1h', from: Date.UTC(2024, 0, 1), count: 1200 }).get(SYMBOL)!;
const spec = (instanceId: string, atTs: number): StrategySpec => ({
  instanceId, strategyId: 'crash_once', source: { kind: 'file', path: CRASH_ONCE }, params: { at_ts: atTs, min_history: 600 },
  symbols: [SYMBOL], timeframe: '1h', market: 'spot',
});

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let group: HostGroup | undefined;
afterEach(async () => {
  await group?.stop();
  group = undefined;
});

describe('a supervised host group', () => {
  it('re-warms a restarted strategy from the candles the group itself has seen, so it decides as if it had never died', async () => {
    const crashTs = candles.ts[700]!;
    const statuses: SupervisorStatus[] = [];
    group = await startHostGroup([spec('crasher', crashTs), spec('steady', 0)], { isolation: 'process' }, {
      restartBaseMs: 20, restartCapMs: 50, maxRestarts: 2, onStatus: (s) => statuses.push(s),
    });
    const crasher = group.hosts[0] as SupervisedStrategyHost;
    const pid = crasher.pid!;
    const after: Signal[] = [];
    for (let from = 0; from < 1200; from += 100) {
      const signals = await group.processBatch(batchOf(SYMBOL, candles, from, from + 100));
      const mine = signals.filter((s) => s.strategyId === 'crasher');
      // crash_once dies right after answering the batch with its fatal candle (an unhandled
      // rejection ends the process at the end of that tick); the next request finds it dead.
      if (from === 700) await until(() => !isAlive(pid));
      if (from === 800) {
        expect(mine).toEqual([]);
        // down, or already restarting after the 20 ms backoff while the other host answered
        expect(['down', 'restarting']).toContain(crasher.status().state);
        expect(crasher.status()).toMatchObject({ lastError: { code: 'CT_ERR_STRATEGY_DIED' } });
        await crasher.settled();
      }
      if (from > 800) after.push(...mine);
    }
    expect(group.restarts()).toEqual({ crasher: 1, steady: 0 });
    expect(statuses.filter((s) => s.instanceId === 'crasher').map((s) => s.state)).toEqual(['up', 'down', 'restarting', 'up']);

    // When it restarted, the group held the last 500 candles (max(500, 3 x warm-up 2)) in whole
    // batches: rows 400..900, the batch it missed included. A fresh runner replayed on exactly those
    // and then fed the rest emits the same signals.
    const reference = await StrategyRunner.create(spec('crasher', crashTs));
    reference.processBatch(batchOf(SYMBOL, candles, 400, 900));
    const expected: Signal[] = [];
    for (let from = 900; from < 1200; from += 100) expected.push(...reference.processBatch(batchOf(SYMBOL, candles, from, from + 100)));
    expect(after.length).toBeGreaterThan(0);
    expect(after).toEqual(expected);
  });
});
