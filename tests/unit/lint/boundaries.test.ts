/**
 * The layer lint (.dependency-cruiser.cjs) is what holds the boundaries, so it is tested like code:
 * a temporary tree with the project's own lint config, tsconfig and strategy allowed-imports list
 * (copied unchanged) gets one small file per forbidden import; depcruise must fail on every one of
 * them, naming the rule, and pass the files that respect the boundaries. The real tree must pass.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStrategySource } from '../../../src/strategies/source-check.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

interface Violation {
  readonly rule: string;
  readonly from: string;
}
interface Cruise {
  readonly status: number | null;
  readonly violations: readonly Violation[];
  readonly output: string;
}

const DEPCRUISE = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');

/** Runs depcruise as `npm run lint` does (its default `err` report) and reads the violations it printed. */
function depcruise(cwd: string, paths: readonly string[]): Cruise {
  const r = spawnSync(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', ...paths], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const output = `${r.stdout}${r.stderr}`;
  // One violation per `  error <rule>: <from> → <to>` line (a cycle continues on the next lines).
  const violations = [...output.matchAll(/^\s*error ([\w-]+): (\S+) →/gm)].map((m) => ({ rule: m[1]!, from: m[2]! }));
  return { status: r.status, violations, output };
}

const GUARDED_LAYERS = ['engine', 'execution', 'domain', 'strategy-sdk', 'indicators'] as const;
const FORBIDDEN_MODULES: ReadonlyArray<readonly [string, string]> = [
  ['node-fs', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
  ['fs-promises', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n"],
  ['bare-fs', "import { writeFileSync } from 'fs';\nexport const x = writeFileSync;\n"],
  ['better-sqlite3', "import Database from 'better-sqlite3';\nexport const x = Database;\n"],
  ['ccxt', "import ccxt from 'ccxt';\nexport const x = ccxt;\n"],
  ['ws', "import { WebSocket } from 'ws';\nexport const x = WebSocket;\n"],
  ['ws-type-only', "import type { WebSocket } from 'ws';\nexport type X = WebSocket;\n"],
  ['pino', "import pino from 'pino';\nexport const x = pino;\n"],
  ['pino-type-only', "import type { Logger } from 'pino';\nexport type X = Logger;\n"],
];

const STRATEGY_USING_THE_LOADER = "import { loadStrategy } from '../../src/strategies/loader.ts';\nexport const x = loadStrategy;\n";
const STRATEGY_USING_THE_RUNNER = "import { StrategyRunner } from '../../src/strategies/runner.ts';\nexport const x = StrategyRunner;\n";
const STRATEGY_USING_INDICATORS_DIRECTLY = "import { sma } from '../../src/indicators/index.ts';\nexport const x = sma;\n";
const STRATEGY_USING_THE_SDK = "import { defineStrategy } from '../../src/strategy-sdk/index.ts';\nexport default defineStrategy({ schema: { id: 'ok', name: 'ok', version: '1.0.0', description: '', inputs: {} }, onCandle() {} });\n";

let root = '';
let probes: Cruise;
const file = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const violationsFrom = (rel: string): Violation[] => probes.violations.filter((v) => v.from === rel);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ct-lint-'));
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'src/strategy-sdk/allowed-imports.json']) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    copyFileSync(join(REPO_ROOT, f), join(root, f));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The modules the probes import, so every import resolves as it would in the real tree.
  file('src/strategy-sdk/index.ts', 'export function defineStrategy<T>(d: T): T {\n  return d;\n}\n');
  file('src/strategies/loader.ts', 'export function loadStrategy(): void {}\n');
  file('src/strategies/runner.ts', 'export class StrategyRunner {}\n');
  file('src/indicators/index.ts', 'export function sma(): number {\n  return 0;\n}\n');
  file('src/data/store.ts', 'export const store = 1;\n');
  for (const layer of GUARDED_LAYERS) for (const [name, text] of FORBIDDEN_MODULES) file(`src/${layer}/probe-${name}.ts`, text);
  file('strategies/builtins/uses_loader.ts', STRATEGY_USING_THE_LOADER);
  file('strategies/builtins/uses_runner.ts', STRATEGY_USING_THE_RUNNER);
  file('strategies/custom/uses_indicators.ts', STRATEGY_USING_INDICATORS_DIRECTLY);
  file('strategies/custom/ok.ts', STRATEGY_USING_THE_SDK);
  file('src/strategy-sdk/uses-loader.ts', "import { loadStrategy } from '../strategies/loader.ts';\nexport const x = loadStrategy;\n");
  file('src/venues/bybit/uses-store.ts', "import { store } from '../../data/store.ts';\nexport const x = store;\n");
  file('src/workers/cycle-a.ts', "import type { B } from './cycle-b.ts';\nexport interface A { b?: B }\n");
  file('src/workers/cycle-b.ts', "import type { A } from './cycle-a.ts';\nexport interface B { a?: A }\n");
  probes = depcruise(root, ['src', 'strategies']);
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the layer lint', () => {
  for (const layer of GUARDED_LAYERS) {
    it(`fails when ${layer}/ imports node:fs, fs/promises, fs, better-sqlite3, ccxt, ws or pino (type-only included), naming the rule`, () => {
      expect(probes.status).not.toBe(0);
      for (const [name] of FORBIDDEN_MODULES) {
        const rel = `src/${layer}/probe-${name}.ts`;
        expect(violationsFrom(rel).map((v) => v.rule), rel).toContain('pure-layers-do-no-io');
      }
    });
  }

  it('fails when a built-in or custom strategy imports the loader, the runner or a src/ module outside the SDK, and passes one that imports only the SDK', () => {
    for (const rel of ['strategies/builtins/uses_loader.ts', 'strategies/builtins/uses_runner.ts', 'strategies/custom/uses_indicators.ts']) {
      expect(violationsFrom(rel).map((v) => v.rule), rel).toContain('strategies-import-only-the-sdk');
    }
    expect(violationsFrom('strategies/custom/ok.ts')).toEqual([]);
  });

  it('fails when the strategy SDK imports the host side (loader, runner)', () => {
    expect(violationsFrom('src/strategy-sdk/uses-loader.ts').map((v) => v.rule)).toContain('not-in-allowed');
  });

  it('uses the same allowed-imports list as the strategy source check', () => {
    const at = (rel: string, text: string): string[] => checkStrategySource(text, join(REPO_ROOT, rel), REPO_ROOT).map((v) => v.message);
    expect(at('strategies/builtins/uses_loader.ts', STRATEGY_USING_THE_LOADER)).toHaveLength(1);
    expect(at('strategies/builtins/uses_runner.ts', STRATEGY_USING_THE_RUNNER)).toHaveLength(1);
    expect(at('strategies/custom/uses_indicators.ts', STRATEGY_USING_INDICATORS_DIRECTLY)).toHaveLength(1);
    expect(at('strategies/custom/ok.ts', STRATEGY_USING_THE_SDK)).toEqual([]);
  });

  it('fails when a venue adapter imports the data store (data/ depends on venues/, never the reverse)', () => {
    expect(violationsFrom('src/venues/bybit/uses-store.ts').map((v) => v.rule)).toContain('venues-know-nothing-of-the-store');
  });

  it('counts an import cycle made only of type imports as a cycle', () => {
    const names = [...violationsFrom('src/workers/cycle-a.ts'), ...violationsFrom('src/workers/cycle-b.ts')].map((v) => v.rule);
    expect(names).toContain('no-circular');
  });

  it('passes the real tree', () => {
    const real = depcruise(REPO_ROOT, ['src', 'main.ts', 'strategies']);
    expect(real.violations).toEqual([]);
    expect(real.output).toContain('no dependency violations found');
    expect(real.status).toBe(0);
  }, 120_000);
});
