/**
 * The built JavaScript (dist/, what the `cryptotrader` bin and `npm start` run) behaves exactly
 * like the TypeScript sources: same results in every isolation, custom .ts strategies included,
 * and no TypeScript loader in a process that does not need one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const MAIN_JS = join(REPO_ROOT, 'dist', 'main.js');
const HOOK = pathToFileURL(join(REPO_ROOT, 'tests', 'support', 'loaded-packages-hook.mjs')).href;
const root = mkdtempSync(join(tmpdir(), 'ct-built-'));
const customDir = join(root, 'custom');
const H = 3_600_000;
const FROM = Date.UTC(2023, 0, 1);
const COUNT = 3_000;

const sets = [
  ...(['data', 'state', 'results', 'log'] as const).flatMap((d) => ['--set', `general.${d}_dir=${join(root, d)}`]),
  '--set', `strategies.custom_dir=${customDir}`, '--set', 'backtest.data_exchange=binance', '--set', 'backtest.auto_download=false',
  '--set', 'market.symbols=BTC/USDT', '--set', 'market.timeframe=1h', '--set', 'backtest.from=2023-01-01', '--set', `backtest.to=${new Date(FROM + COUNT * H).toISOString()}`,
];

function node(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Packages of the modules `args` imports, from the module-logging hook. */
function packagesLoaded(args: string[]): string[] {
  const file = join(root, `packages-${Math.random().toString(36).slice(2)}.txt`);
  const r = node(['--import', HOOK, ...args], { CT_LOADED_PACKAGES_FILE: file });
  expect(r.code, r.stderr).toBe(0);
  return existsSync(file) ? [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))] : [];
}

function backtest(entry: string[], isolation: string): Record<string, Buffer> {
  const r = node([...entry, ...sets, '--set', 'strategies.enabled=simple_ma,my_breakout', '--set', `strategies.isolation=${isolation}`, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const dir = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { results_dir: string }).results_dir;
  return Object.fromEntries(['fills.csv', 'metrics.json', 'trades.csv', 'equity.csv'].map((f) => [f, readFileSync(join(dir, f))]));
}

beforeAll(() => {
  // The build is incremental: a few seconds when dist/ is current; it also fails on a type error.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const b = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  expect(b.status, `npm run build failed:\n${b.stdout}${b.stderr}`).toBe(0);

  const c = generateSynthetic({ seed: 11, symbols: ['BTC/USDT'], timeframe: '1h', from: FROM, count: COUNT }).get('BTC/USDT')!;
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < c.length; i++) lines.push(`${c.ts[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  writeFileSync(join(root, 'btc-1h.csv'), `${lines.join('\n')}\n`);
  const imp = node([MAIN_JS, ...sets, 'data', 'import', '--csv', join(root, 'btc-1h.csv'), '--symbol', 'BTC/USDT', '--timeframe', '1h', '--exchange', 'binance']);
  expect(imp.code, imp.stderr).toBe(0);

  // The README's custom strategy, in a folder outside the project (no package.json of ours above it).
  mkdirSync(customDir, { recursive: true });
  const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(REPO_ROOT, 'strategies', 'custom', 'README.md'), 'utf8'))![1]!;
  writeFileSync(join(customDir, 'my_breakout.ts'), example.replaceAll("'../../src/", `'${REPO_ROOT}/src/`));
}, 360_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the built CLI (dist/)', () => {
  it('answers --help and runs a backtest of built-in strategies without loading a TypeScript loader', () => {
    const help = node([MAIN_JS, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cryptotrader');
    expect(packagesLoaded([MAIN_JS, '--help'])).not.toContain('tsx');
    const bt = packagesLoaded([MAIN_JS, ...sets, '--set', 'strategies.enabled=simple_ma', '--set', 'strategies.isolation=inline', '--json']);
    expect(bt).toContain('better-sqlite3');
    expect(bt).not.toContain('tsx');
  });

  it('gives byte-identical results to the sources in process, worker and inline isolation, with a custom .ts strategy', () => {
    const fromSource = backtest(['--import', 'tsx', 'main.ts'], 'inline');
    expect(fromSource['fills.csv']!.toString().split('\n').length).toBeGreaterThan(10);
    for (const isolation of ['process', 'worker', 'inline']) {
      const built = backtest([MAIN_JS], isolation);
      for (const [file, bytes] of Object.entries(fromSource)) expect(built[file]!.equals(bytes), `${isolation}: ${file}`).toBe(true);
    }
  });

  it('runs parallel jobs on piscina worker threads started from the built job worker, not the tsx bootstrap', () => {
    const job = join(root, 'square-job.mjs');
    // A pool started from the tsx bootstrap hands its threads the .ts entry in workerData.
    writeFileSync(job, "import { workerData } from 'node:worker_threads';\nexport function square(x) { return { x, square: x * x, bootstrapped: workerData?.tsEntry !== undefined }; }\n");
    const script = [
      `const { runParallel } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/workers/parallel-backtests.js')).href)});`,
      `const out = await runParallel([1, 2, 3], { threads: 2, jobModule: ${JSON.stringify(job)}, exportName: 'square' });`,
      'console.log(JSON.stringify(out.map((o) => (o.ok ? o.value : o.error.message))));',
    ].join('\n');
    const r = node(['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual([1, 2, 3].map((x) => ({ x, square: x * x, bootstrapped: false })));
  });

  it('lets a custom strategy import the SDK by its source path and get the built modules the runner uses', () => {
    const probe = join(customDir, 'sdk_probe.ts');
    writeFileSync(probe, `export { defineStrategy } from '${REPO_ROOT}/src/strategy-sdk/index.ts';\nexport const typed: number = 1;\n`);
    const script = [
      `const { enableTypeScriptImports } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/strategies/typescript-imports.js')).href)});`,
      'await enableTypeScriptImports();',
      `const probe = await import(${JSON.stringify(pathToFileURL(probe).href)});`,
      `const sdk = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/strategy-sdk/index.js')).href)});`,
      'console.log(JSON.stringify({ same: probe.defineStrategy === sdk.defineStrategy, typed: probe.typed }));',
    ].join('\n');
    const r = node(['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ same: true, typed: 1 });
  });
});
