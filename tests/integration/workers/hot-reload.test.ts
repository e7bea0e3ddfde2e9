import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { startCliProcess } from '../../support/cli-process.ts';
import { closeReaders, logRecords, readDb, until } from '../../support/forward-daemon.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const SDK = resolve(REPO_ROOT, 'src/strategy-sdk/index.ts');
const HOUR = 3_600_000;

/**
 * A strategy that decides on EVERY step (long, then flat, then long ...), each signal tagged with
 * the version of the code that decided it (which code decided which step is read off the signals)
 * and the number of candles that code had seen (its history).
 */
function strategyText(version: string, extra = ''): string {
  return `import { defineStrategy } from '${SDK}';

export default defineStrategy({
  schema: { id: 'hot_tag', name: 'Hot tag', version: '1.0.0', description: 'Decides every step; the reason names the code version.', inputs: { threshold: { type: 'float', default: 0, min: 0 } } },
  warmup: () => 1,
  onCandle(ctx) {
    ${extra}
    const indicators = { bars: ctx.bars() };
    if (ctx.position() === 0) ctx.signal({ kind: 'enter_long', reason: '${version}', indicators });
    else ctx.signal({ kind: 'exit', reason: '${version}', indicators });
  },
});
`;
}

/** Saves as editors do: a new file renamed over the old one (the watcher must follow the directory). */
function saveAs(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

interface SignalRow { ts: number; kind: string; reason: string; indicators: string }
interface EventRow { seq: number; kind: string; code: string | null; message: string }

afterAll(() => closeReaders());

describe('hot reload of a strategy file while a dry-run daemon runs', () => {
  // process: the new code in a new sandboxed strategy process; inline: in the daemon's own module
  // cache, which must not serve the old code for the same path.
  it.each(['process', 'inline'] as const)('%s isolation: swaps the new code in at a step boundary with no step lost or doubled, keeps the running code while the file does not compile, and takes the fixed file', async (isolation) => {
    const ws = tempWorkspace('ct-hot-reload-');
    const dir = join(ws.root, 'strategies');
    mkdirSync(dir);
    const file = join(dir, 'hot_tag.ts');
    writeFileSync(file, strategyText('v1'));
    const signals = (): SignalRow[] => readDb(ws.stateDb, (db) => db.prepare(`SELECT ts, kind, reason, indicators FROM signals WHERE strategy_id = 'hot_tag' ORDER BY ts, id`).all() as SignalRow[]) ?? [];
    const events = (): EventRow[] => readDb(ws.stateDb, (db) => db.prepare(`SELECT seq, kind, code, message FROM strategy_events ORDER BY seq`).all() as EventRow[]) ?? [];
    const sets = [
      ...ws.sets, `strategies.custom_dir=${dir}`, `strategies.isolation=${isolation}`, 'strategies.reload_debounce_ms=300',
      'dry_run.symbols=BTC/USDT', 'dry_run.speed=20', 'market.timeframe=1h',
    ];
    let savedAt = 0;
    const daemon = startCliProcess(['--dry-run', '--strategies', 'hot_tag', '--max-candles', '2000', ...sets.flatMap((s) => ['--set', s])], 90_000);
    try {
      await until(() => signals().length >= 15, 30_000, '15 signals of the first code');

      // 1. New code: its signals must start at one step and the old code's end just before it.
      savedAt = Date.now();
      saveAs(file, strategyText('v2'));
      await until(() => events().some((e) => e.kind === 'reloaded'), 20_000, 'a reloaded strategy event');
      await until(() => signals().filter((s) => s.reason === 'v2').length >= 10, 10_000, '10 signals of the new code');

      // 2. A file that does not compile: refused, recorded, and the running (v2) code goes on.
      saveAs(file, strategyText('v3', 'const broken = ;'));
      await until(() => events().some((e) => e.kind === 'reload_failed'), 20_000, 'a reload_failed strategy event');
      const atFailure = signals().length;
      await until(() => signals().length >= atFailure + 10, 10_000, '10 more signals after the failed reload');

      // 3. Fixed: reloaded, and the failure flag goes away.
      saveAs(file, strategyText('v4'));
      await until(() => signals().filter((s) => s.reason === 'v4').length >= 5, 20_000, '5 signals of the fixed code');
    } finally {
      daemon.kill('SIGINT');
    }
    const exit = await daemon.exited;
    expect(exit.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    expect(exit.code).toBe(0);

    const all = signals();
    const equityTs = readDb(ws.stateDb, (db) => (db.prepare(`SELECT ts FROM equity ORDER BY ts`).all() as Array<{ ts: number }>).map((r) => r.ts))!;
    // Every committed step was decided exactly once: one signal per step, steps an hour apart.
    expect(all.map((s) => s.ts)).toEqual(equityTs);
    for (let i = 1; i < equityTs.length; i++) expect(equityTs[i]! - equityTs[i - 1]!).toBe(HOUR);
    // The old code up to one step, the new code from the next one on; v3 never ran.
    // The history count below holds while the run stayed within the recent window (500 candles).
    expect(all.length).toBeLessThan(500);
    const firstNew = all.findIndex((s) => s.reason === 'v2');
    const firstFixed = all.findIndex((s) => s.reason === 'v4');
    expect(firstNew).toBeGreaterThan(10);
    expect(firstFixed).toBeGreaterThan(firstNew + 20);
    expect(all.slice(0, firstNew).every((s) => s.reason === 'v1')).toBe(true);
    expect(all.slice(firstNew, firstFixed).every((s) => s.reason === 'v2')).toBe(true);
    expect(all.slice(firstFixed).every((s) => s.reason === 'v4')).toBe(true);
    // The new code was warmed up on exactly the steps before the swap: its intended position goes
    // on from the old code's, so long and flat keep alternating across the swap (a step missed or
    // replayed twice would repeat one), and its history counts every step once.
    all.forEach((s, i) => {
      expect(s.kind, `signal ${i} at ${s.ts}`).toBe(i % 2 === 0 ? 'enter_long' : 'exit');
      expect(JSON.parse(s.indicators), `signal ${i} at ${s.ts}`).toEqual({ bars: i + 1 });
    });

    const evs = events();
    const iso = (ts: number): string => new Date(ts).toISOString().replace('.000Z', 'Z');
    const [reloaded, fixed, ...more] = evs.filter((e) => e.kind === 'reloaded');
    expect(more).toEqual([]);
    expect(reloaded!.code).toBeNull();
    expect(reloaded!.message).toContain(`from step ${iso(all[firstNew]!.ts)} on`);
    expect(fixed!.message).toContain(`from step ${iso(all[firstFixed]!.ts)} on`);
    const failed = evs.find((e) => e.kind === 'reload_failed')!;
    expect(failed.seq).toBeGreaterThan(reloaded!.seq);
    expect(fixed!.seq).toBeGreaterThan(failed.seq);
    expect(failed.code).toBe('CT_ERR_STRATEGY_LOAD');
    expect(failed.message).toContain(file);
    // The error names the place: esbuild's line:column for a strategy process, the loader's for inline.
    expect(failed.message).toMatch(isolation === 'process' ? /cannot be compiled for a strategy process: line \d+:\d+: / : /could not be imported: .*(Unexpected|Expected|Transform failed)/);
    expect(failed.message).toContain('the old code keeps running');
    // No restart or failure of the strategy itself along the way.
    expect(evs.filter((e) => e.kind !== 'reloaded' && e.kind !== 'reload_failed').map((e) => e.kind)).toEqual(['up', 'stopped']);

    // Seen within a second of the save, after the debounce (300 ms here).
    const seen = logRecords(join(ws.root, 'logs')).find((r) => String(r.msg).includes('changed; loading the new code'));
    expect(Number(seen?.time) - savedAt).toBeGreaterThanOrEqual(300);
    expect(Number(seen?.time) - savedAt).toBeLessThan(1000);
    const log = readFileSync(join(ws.root, 'logs', 'dry-run.log'), 'utf8');
    expect(log).toContain('hot reload of strategy hot_tag from');
    expect(log).toMatch(/look-ahead check passed for strategy hot_tag/);
    // The status line (a log line without a terminal) carried the flag until the fixed code came in.
    const status = logRecords(join(ws.root, 'logs')).filter((r) => r.msg === 'status' || String(r.msg).startsWith('status: '));
    const flagged = status.findIndex((r) => JSON.stringify(r.flags) === '["RELOAD FAILED hot_tag (CT_ERR_STRATEGY_LOAD)"]');
    expect(flagged).toBeGreaterThanOrEqual(0);
    expect(status.slice(flagged + 1).map((r) => r.flags)).toContain(undefined);
  }, 90_000);

  it('watches nothing with strategies.hot_reload = false: the run ends on the code it started with', async () => {
    const ws = tempWorkspace('ct-hot-reload-off-');
    const dir = join(ws.root, 'strategies');
    mkdirSync(dir);
    const file = join(dir, 'hot_tag.ts');
    writeFileSync(file, strategyText('v1'));
    const sets = [...ws.sets, `strategies.custom_dir=${dir}`, 'strategies.hot_reload=false', 'strategies.reload_debounce_ms=300', 'dry_run.symbols=BTC/USDT', 'dry_run.speed=20'];
    const daemon = startCliProcess(['--dry-run', '--strategies', 'hot_tag', '--max-candles', '50', ...sets.flatMap((s) => ['--set', s])], 60_000);
    const count = (): number => readDb(ws.stateDb, (db) => (db.prepare(`SELECT COUNT(*) n FROM signals`).get() as { n: number }).n) ?? 0;
    await until(() => count() >= 5, 30_000, '5 signals');
    // Saved with some 45 steps (over 2 s) to go: enabled, the new code would decide the last ones.
    saveAs(file, strategyText('v2'));
    const exit = await daemon.exited;
    expect(exit.code).toBe(0);
    const reasons = readDb(ws.stateDb, (db) => (db.prepare(`SELECT reason FROM signals`).all() as Array<{ reason: string }>).map((r) => r.reason))!;
    expect(reasons).toHaveLength(50);
    expect(new Set(reasons)).toEqual(new Set(['v1']));
    expect(readDb(ws.stateDb, (db) => db.prepare(`SELECT kind FROM strategy_events WHERE kind LIKE 'reload%'`).all())).toEqual([]);
    expect(readFileSync(join(ws.root, 'logs', 'dry-run.log'), 'utf8')).not.toContain('hot reload');
  }, 40_000);
});
