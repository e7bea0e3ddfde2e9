import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Debouncer, watchFiles } from '../../../src/app/strategy-watch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the fired keys once `n` have fired (or after `ms`, with what fired). */
function collector<K>() {
  const fired: K[] = [];
  let wake: (() => void) | undefined;
  return {
    fired,
    push: (k: K) => {
      fired.push(k);
      wake?.();
    },
    async atLeast(n: number, ms: number): Promise<K[]> {
      const end = Date.now() + ms;
      while (fired.length < n && Date.now() < end) await new Promise<void>((r) => ((wake = r), setTimeout(r, 20)));
      return fired;
    },
  };
}

describe('Debouncer', () => {
  it('fires once per burst, the delay after the last touch, separately per key', async () => {
    const c = collector<string>();
    const d = new Debouncer<string>(60, c.push);
    const t0 = Date.now();
    d.touch('a');
    await sleep(30);
    d.touch('a');
    d.touch('b');
    await sleep(30);
    d.touch('a');
    expect(c.fired).toEqual([]);
    expect(d.waiting).toBe(2);
    await c.atLeast(2, 1000);
    expect(c.fired).toEqual(['b', 'a']);
    // 'a' waited for quiet after its third touch (~60 ms in), not after its first.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
    await sleep(80);
    expect(c.fired).toEqual(['b', 'a']);
  });

  it('drops bursts in progress when closed and ignores later touches', async () => {
    const c = collector<string>();
    const d = new Debouncer<string>(30, c.push);
    d.touch('a');
    d.close();
    d.touch('b');
    await sleep(80);
    expect(c.fired).toEqual([]);
    expect(d.waiting).toBe(0);
  });
});

describe('watchFiles', () => {
  it('reports a watched file once per save, an editor-style replace by rename included, and not its neighbours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-watch-'));
    const watched = join(dir, 'mine.ts');
    const other = join(dir, 'other.ts');
    writeFileSync(watched, 'v1');
    writeFileSync(other, 'x');
    const c = collector<string>();
    const errors: string[] = [];
    const w = watchFiles([watched, join(dir, 'missing-dir', 'x.ts')], 100, c.push, (d) => errors.push(d));
    try {
      // A burst of writes: one report.
      writeFileSync(watched, 'v2');
      writeFileSync(watched, 'v22');
      writeFileSync(other, 'y');
      expect(await c.atLeast(1, 2000)).toEqual([watched]);
      await sleep(200);
      expect(c.fired).toEqual([watched]);
      // Saved as a new file renamed over the old one (the file's inode changes).
      writeFileSync(`${watched}.tmp`, 'v3');
      renameSync(`${watched}.tmp`, watched);
      expect(await c.atLeast(2, 2000)).toEqual([watched, watched]);
      // A folder that cannot be watched is reported; the others still are.
      expect(errors).toEqual([join(dir, 'missing-dir')]);
    } finally {
      w.close();
    }
    writeFileSync(watched, 'v4');
    await sleep(200);
    expect(c.fired).toHaveLength(2);
  });
});
