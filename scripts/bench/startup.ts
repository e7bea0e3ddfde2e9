/**
 * Issue-8 targets, whole process, as a user runs the built `cryptotrader` (node dist/main.js):
 *  - `--help` <= 4x a bare `node -e 0` measured in the same run;
 *  - a backtest of simple_ma over all of BTC/USDT 1h (73,265 candles, store imported with
 *    `data import --exchange binance` into a temp workspace first) <= 1.0 s;
 *  - `config show`, `config check`, `strategies list` measured beside them, and which of the
 *    libraries these commands never use (ccxt, piscina, ws, the Parquet readers/writers) each
 *    command loads (one extra, untimed run with a module-logging hook).
 * Every command runs BENCH_REPS times (default 9), round-robin so that a noisy minute on this
 * shared machine hits all of them alike; figures are medians. `node --import tsx -e 0` shows what
 * running from the TypeScript sources costs before a line of ours runs, and two commands run from
 * the sources for comparison.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { HAS_SHARED_DATA, REPO_ROOT, sharedFile } from '../../tests/support/shared-data.ts';
import type { BenchResult } from './types.ts';

const MAIN = join(REPO_ROOT, 'dist', 'main.js');
const PACKAGES_HOOK = pathToFileURL(join(REPO_ROOT, 'tests', 'support', 'loaded-packages-hook.mjs')).href;
/** Libraries that --help, config show/check and strategies list must never load (issue 8, item 7). */
const NEVER_FOR_LIGHT_COMMANDS = ['ccxt', 'piscina', 'ws', 'hyparquet', 'parquetjs-lite'];

interface Command {
  readonly name: string;
  readonly args: readonly string[];
  /** help/light: must not load NEVER_FOR_LIGHT_COMMANDS; backtest: the 1.0 s target. */
  readonly kind: 'baseline' | 'info' | 'help' | 'light' | 'backtest';
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The environment of a measured child: ours without NODE_OPTIONS (tsx runs this bench). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

function runOnce(args: readonly string[], env = childEnv()): { ms: number; ok: boolean; tail: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  return { ms, ok: r.status === 0, tail: `${r.stderr ?? ''}`.trim().split('\n').slice(-2).join(' | ') };
}

function loadedPackages(args: readonly string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'ct-bench-pkgs-')), 'packages.txt');
  runOnce(['--import', PACKAGES_HOOK, ...args], childEnv({ CT_LOADED_PACKAGES_FILE: file }));
  const names = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  rmSync(join(file, '..'), { recursive: true, force: true });
  return [...new Set(names)].sort();
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(MAIN)) return [{ name: 'startup bench skipped: dist/main.js missing (npm run build)', value: 0, unit: '-' }];
  const reps = Number(process.env.BENCH_REPS ?? 9);
  const root = mkdtempSync(join(tmpdir(), 'ct-bench-start-'));
  const sets = (['data', 'state', 'results', 'log'] as const).flatMap((d) => ['--set', `general.${d}_dir=${join(root, d)}`]);
  const out: BenchResult[] = [];
  try {
    const commands: Command[] = [
      { name: 'node -e 0', args: ['-e', '0'], kind: 'baseline' },
      { name: 'node --import tsx -e 0 (the TypeScript loader alone)', args: ['--import', 'tsx', '-e', '0'], kind: 'info' },
      { name: '--help', args: [MAIN, '--help'], kind: 'help' },
      { name: '--help from the sources (node --import tsx main.ts)', args: ['--import', 'tsx', 'main.ts', '--help'], kind: 'info' },
      { name: 'config show', args: [MAIN, ...sets, 'config', 'show'], kind: 'light' },
      { name: 'config check', args: [MAIN, ...sets, 'config', 'check'], kind: 'light' },
      { name: 'strategies list', args: [MAIN, ...sets, 'strategies', 'list'], kind: 'light' },
    ];
    const btSets = [
      ...sets, '--set', 'backtest.data_exchange=binance', '--set', 'backtest.auto_download=false', '--set', 'market.symbols=BTC/USDT', '--set', 'market.timeframe=1h',
      '--set', 'strategies.enabled=simple_ma', '--set', 'backtest.from=2018-01-01', '--set', 'backtest.to=2026-05-16T19:00:00Z',
    ];
    if (HAS_SHARED_DATA) {
      const imp = runOnce([MAIN, ...sets, 'data', 'import', '--csv', sharedFile('BTCUSDT-1h.csv'), '--symbol', 'BTC/USDT', '--timeframe', '1h', '--exchange', 'binance']);
      if (!imp.ok) out.push({ name: `data import FAILED: ${imp.tail}`, value: 0, unit: '-' });
      commands.push(
        { name: 'backtest simple_ma, all BTC/USDT 1h (73,265 candles), isolation=process (default)', args: [MAIN, ...btSets, '--set', 'strategies.isolation=process', '--json'], kind: 'backtest' },
        { name: 'same backtest, isolation=inline', args: [MAIN, ...btSets, '--set', 'strategies.isolation=inline', '--json'], kind: 'backtest' },
        { name: 'same backtest (process) from the sources (node --import tsx main.ts)', args: ['--import', 'tsx', 'main.ts', ...btSets, '--set', 'strategies.isolation=process', '--json'], kind: 'info' },
      );
    } else {
      out.push({ name: 'backtest figures skipped: ../shared/data absent', value: 0, unit: '-' });
    }

    const before = loadavg()[0]!;
    const times = commands.map(() => [] as number[]);
    const failed = commands.map(() => '');
    for (let r = 0; r < reps; r++) {
      commands.forEach((c, k) => {
        const x = runOnce(c.args);
        if (!x.ok) failed[k] ||= x.tail;
        times[k]!.push(x.ms);
      });
    }
    const after = loadavg()[0]!;
    const bare = median(times[0]!);
    out.push({ name: `(machine load average ${before.toFixed(1)} before, ${after.toFixed(1)} after; ${reps} runs each, round-robin)`, value: 0, unit: '-' });
    commands.forEach((c, k) => {
      const ms = median(times[k]!);
      const range = `${Math.min(...times[k]!).toFixed(0)}-${Math.max(...times[k]!).toFixed(0)} ms`;
      const label = failed[k] ? `${c.name} FAILED: ${failed[k]}` : c.name;
      if (c.kind === 'help') {
        const ratio = ms / bare;
        out.push({ name: `--help: ${ms.toFixed(0)} ms (${range}) vs node -e 0 ${bare.toFixed(0)} ms`, value: ratio, unit: 'x node -e 0', target: '<= 4x node -e 0', pass: !failed[k] && ratio <= 4 });
      } else if (c.kind === 'backtest') {
        out.push({ name: `${label} (${range})`, value: ms / 1000, unit: 's', target: '<= 1.0 s', pass: !failed[k] && ms <= 1000 });
      } else if (c.kind === 'baseline') {
        out.push({ name: `${label} (${range})`, value: ms, unit: 'ms' });
      } else {
        out.push({ name: `${label} (${range}; ${(ms / bare).toFixed(1)}x node -e 0)`, value: ms, unit: 'ms' });
      }
    });
    for (const c of commands.filter((x) => x.kind === 'help' || x.kind === 'light')) {
      const loaded = loadedPackages(c.args).filter((p) => NEVER_FOR_LIGHT_COMMANDS.includes(p));
      out.push({
        name: `${c.name} loads ${loaded.length === 0 ? 'none of them' : loaded.join(', ')}`,
        value: loaded.length, unit: 'libraries', target: `none of ${NEVER_FOR_LIGHT_COMMANDS.join(', ')}`, pass: loaded.length === 0,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}
