import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import type { StrategySpec } from '../../../src/strategies/strategy-spec.ts';
import { createStrategyHost, startHostGroup } from '../../../src/workers/host-factory.ts';
import type { HostGroup } from '../../../src/workers/host-group.ts';
import { hostLookaheadCheck } from '../../../src/workers/host-lookahead.ts';
import type { Isolation } from '../../../src/workers/strategy-host.ts';
import { SupervisedStrategyHost, type ReplaceOutcome } from '../../../src/workers/supervised-host.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { batchOf } from './helpers/batches.ts';

const SDK = resolve(REPO_ROOT, 'src/strategy-sdk/index.ts');
const SYMBOL = 'BTC/USDT';
const candles = generateSynthetic({ seed: 11, symbols: [SYMBOL], timeframe: '1h', from: Date.UTC(2024, 0, 1), count: 480 }).get(SYMBOL)!;

/** Decides every step; the reason names the version, the indicators the candles it has seen. `body` replaces the decision. */
function strategyText(version: string, head = '', reason = `'${version}'`): string {
  return `import { defineStrategy } from '${SDK}';
${head}
export default defineStrategy({
  schema: { id: 'hot', name: 'Hot', version: '1.0.0', description: 'Decides every step.', inputs: {} },
  onCandle(ctx) {
    ctx.signal({ kind: ctx.position() === 0 ? 'enter_long' : 'exit', reason: ${reason}, indicators: { bars: ctx.bars() } });
  },
});
`;
}

let group: HostGroup | undefined;
afterEach(async () => {
  await group?.stop();
  group = undefined;
});

/** A supervised group of one strategy from a temp file, and a driver feeding it one step at a time. */
async function hotGroup(isolation: Isolation, text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ct-hot-hosts-'));
  const file = join(dir, 'hot.ts');
  // An ES module outside the repository (a worker thread's TypeScript loader reads the nearest package.json).
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(file, text);
  const spec: StrategySpec = { instanceId: 'hot', strategyId: 'hot', source: { kind: 'file', path: file }, params: {}, symbols: [SYMBOL], timeframe: '1h', market: 'spot' };
  group = await startHostGroup([spec], { isolation }, { restartBaseMs: 10 });
  const sup = group.hosts[0] as SupervisedStrategyHost;
  const seen: Signal[] = [];
  let next = 0;
  const step = async (): Promise<void> => {
    for (const s of await group!.processBatch(batchOf(SYMBOL, candles, next, next + 1))) seen.push(s);
    next++;
  };
  const make = () => createStrategyHost(spec, { isolation });
  return { file, sup, seen, step, make };
}

/**
 * Feeds a step every 40 ms, as a slow daemon would, until `outcome` settles (the swap happens at a
 * step boundary, after the new code was prepared while steps went on). At most 400 steps: the
 * recent window (500 candles) then still reaches back to the first candle.
 */
async function stepUntil(outcome: Promise<ReplaceOutcome>, step: () => Promise<void>): Promise<ReplaceOutcome> {
  let done: ReplaceOutcome | undefined;
  void outcome.then((o) => (done = o));
  for (let i = 0; i < 400 && done === undefined; i++) {
    await step();
    await new Promise((r) => setTimeout(r, 40));
  }
  if (done === undefined) throw new Error('the replacement was not ready within 400 steps (16 s)');
  return done;
}

describe('replacing a supervised strategy host with new code at a step boundary', () => {
  it.each(['inline', 'worker'] as const)('%s: the new code decides from the swap step on, having seen every earlier step exactly once', async (isolation) => {
    const h = await hotGroup(isolation, strategyText('v1'));
    for (let i = 0; i < 60; i++) await h.step();
    // Same path, new text: the module cache must not serve the old code.
    writeFileSync(h.file, strategyText('v2'));
    const outcome = await stepUntil(h.sup.replaceWith(h.make, async ({ recent, signals }) => void (await hostLookaheadCheck('hot', h.make, recent, signals))), h.step);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    for (let i = 0; i < 5; i++) await h.step();
    const swapAt = h.seen.findIndex((s) => s.ts === outcome.swapTs);
    expect(swapAt).toBeGreaterThanOrEqual(60);
    expect(h.seen.slice(0, swapAt).every((s) => s.reason === 'v1')).toBe(true);
    expect(h.seen.slice(swapAt).every((s) => s.reason === 'v2')).toBe(true);
    h.seen.forEach((s, i) => {
      expect(s.ts).toBe(candles.ts[i]);
      expect(s.indicators).toEqual({ bars: i + 1 });
      expect(s.kind).toBe(i % 2 === 0 ? 'enter_long' : 'exit');
    });
    expect(outcome.warmedUpCandles + outcome.caughtUpCandles).toBe(swapAt);
  });

  it('refuses new code whose decisions depend on state kept across instances (the look-ahead check), and the old code goes on', async () => {
    const h = await hotGroup('inline', strategyText('v1'));
    for (let i = 0; i < 40; i++) await h.step();
    // A counter at module level: a fresh instance decides differently from a warmed-up one.
    writeFileSync(h.file, strategyText('v2', 'let calls = 0;', '`v2 call ${++calls}`'));
    const outcome = await stepUntil(h.sup.replaceWith(h.make, async ({ recent, signals }) => void (await hostLookaheadCheck('hot', h.make, recent, signals))), h.step);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('CT_ERR_STRATEGY_RELOAD');
    expect(outcome.error.message).toMatch(/look-ahead check FAILED for strategy hot: truncated after \d+ of \d+ recent steps/);
    const before = h.seen.length;
    for (let i = 0; i < 5; i++) await h.step();
    expect(h.seen.slice(before).map((s) => s.reason)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    expect(h.sup.status().state).toBe('up');
  });

  it('refuses new code that does not load, naming the error, and the old code goes on', async () => {
    const h = await hotGroup('inline', strategyText('v1'));
    for (let i = 0; i < 10; i++) await h.step();
    writeFileSync(h.file, strategyText('v2').replace("inputs: {}", "inputs: { n: { type: 'int', default: 0, min: 5 } }"));
    const outcome = await h.sup.replaceWith(h.make);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message).toContain('the new code of strategy hot did not start');
    await h.step();
    expect(h.seen.at(-1)!.reason).toBe('v1');
  });
});
