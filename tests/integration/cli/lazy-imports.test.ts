import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb } from '../../../src/persistence/state-db.ts';
import { cli } from './cli-env.ts';

const RECORDER = new URL('./import-recorder.mjs', import.meta.url).href;
const HEAVY = ['ccxt', 'piscina', 'ws', 'parquetjs-lite', 'hyparquet', 'inquirer'];
const dir = mkdtempSync(join(tmpdir(), 'ct-imports-'));

/** The npm packages a CLI run resolved, from the recorder's log. */
function packagesLoaded(args: string[]): { code: number | null; packages: Set<string> } {
  const log = join(dir, `${args.join('_').replace(/[^a-z0-9_-]/gi, '')}.log`);
  const r = cli(args, { nodeArgs: ['--import', RECORDER], env: { CT_IMPORT_LOG: log } });
  const packages = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]!);
  }
  return { code: r.code, packages };
}

describe('a command loads only what it uses', () => {
  for (const args of [['--help'], ['config', 'check'], ['config', 'show'], ['strategies', 'list'], ['sweep', '--help'], ['preflight', '--help']]) {
    it(`\`${args.join(' ')}\` never imports ${HEAVY.join(', ')}`, () => {
      const r = packagesLoaded(args);
      expect(r.code).toBe(0);
      expect(r.packages.has('commander')).toBe(true);
      expect(HEAVY.filter((p) => r.packages.has(p))).toEqual([]);
    });
  }

  it('`walkforward --help`, `rank --help` and `serve --help` load neither the engine\'s heavy libraries nor the report\'s (charts, PNG renderer)', () => {
    for (const args of [['walkforward', '--help'], ['rank', '--help'], ['serve', '--help']]) {
      const r = packagesLoaded(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect([...HEAVY, 'better-sqlite3', 'lightweight-charts', '@resvg/resvg-js'].filter((p) => r.packages.has(p)), args.join(' ')).toEqual([]);
    }
  });

  it('`runs` and `runs show` read the state database without ccxt, piscina, ws or the Parquet libraries', () => {
    const state = join(dir, 'State');
    const db = openStateDb(state);
    insertRun(db, { id: 'dryrun-imports', mode: 'dry-run', startedAt: '2026-01-01T00:00:00Z', configSnapshot: '[general]\nmode = dry-run\n', gitCommit: null, pid: 1 });
    db.close();
    for (const args of [['runs', '--set', `general.state_dir=${state}`], ['runs', 'show', 'dryrun-imp', '--set', `general.state_dir=${state}`]]) {
      const r = packagesLoaded(args);
      expect(r.code).toBe(0);
      expect(r.packages.has('better-sqlite3')).toBe(true);
      expect(HEAVY.filter((p) => r.packages.has(p))).toEqual([]);
    }
  });

  it('loads the Parquet reader where it is used (the recorder sees lazy imports), and the writer only to write', () => {
    const r = packagesLoaded(['data', 'list', '--set', `general.data_dir=${join(dir, 'empty-store')}`]);
    expect(r.code).toBe(0);
    expect(r.packages.has('hyparquet')).toBe(true);
    expect(r.packages.has('parquetjs-lite')).toBe(false);
    expect(r.packages.has('ccxt')).toBe(false);
  });
});
