import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_IDS } from '../../../src/strategies/loader.ts';
import { checkStrategySource } from '../../../src/strategies/source-check.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const FILE = resolve(REPO_ROOT, 'strategies/custom/x.ts');
const check = (src: string): string[] => checkStrategySource(src, FILE, REPO_ROOT).map((v) => `${v.line}: ${v.message}`);

describe('static no-I/O check of strategy sources', () => {
  it('accepts every built-in strategy file', () => {
    for (const id of BUILTIN_IDS) {
      const file = join(REPO_ROOT, 'strategies/builtins', `${id}.ts`);
      expect(checkStrategySource(readFileSync(file, 'utf8'), file, REPO_ROOT), id).toEqual([]);
    }
  });

  it('accepts only imports of the strategy SDK: node:fs, packages, the loader, the runner and other src/ modules are rejected, with the line', () => {
    const v = check([
      "import { defineStrategy, sma, type Signal } from '../../src/strategy-sdk/index.ts';",
      "import { readFileSync } from 'node:fs';",
      "import type { Signal } from '../../src/domain/signal.ts';",
      "import { parseTimeframe } from '../../src/core/timeframe.ts';",
      "import { CtError } from '../../src/core/errors.ts';",
      "export { x } from 'lodash';",
      "import { loadStrategy } from '../../src/strategies/loader.ts';",
      "import { StrategyRunner } from '../../src/strategies/runner.ts';",
      "import { rsi } from '../../src/indicators/index.ts';",
      "import { crossedAbove } from '../../src/strategy-sdk/helpers.ts';",
    ].join('\n'));
    expect(v.map((x) => Number(x.split(':')[0]))).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(v[0]).toBe('2: import "node:fs" is not allowed: a strategy may import only the strategy SDK (src/strategy-sdk/)');
    expect(v[4]).toMatch(/^6: import "lodash" is not allowed/);
    expect(v[5]).toMatch(/^7: import "..\/..\/src\/strategies\/loader.ts" is not allowed/);
    expect(v[6]).toMatch(/^8: import "..\/..\/src\/strategies\/runner.ts" is not allowed/);
  });

  it('rejects wall clock, process, network, timers, globals, Math.random and dynamic import', () => {
    const src = [
      'const a = Date.now();',
      'const b = process.env.X;',
      'fetch("http://x");',
      'setTimeout(() => 1, 5);',
      'const g = globalThis;',
      'const r = Math.random();',
      "const m = import('node:fs');",
      'const q = require("fs");',
      'const e = eval("1");',
    ].join('\n');
    const v = check(src);
    expect(v.map((x) => Number(x.split(':')[0]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(v[0]).toContain('Date is not allowed');
    expect(v[5]).toContain('Math.random');
    expect(v[6]).toContain('dynamic import()');
  });

  it('ignores names inside comments, strings, property accesses and object keys, but scans template expressions', () => {
    const src = [
      '// Date.now() in a comment',
      "const s = 'process and fetch in a string';",
      '/* setTimeout */ const o = { Date: 1 };',
      'const p = ctx.process;',
      'const t = `ok ${1 + 1} and ${Date.now()}`;',
      'const re = /Date/g;',
    ].join('\n');
    expect(check(src)).toEqual(['5: Date is not allowed in a strategy: it reads the wall clock; use ctx.ts (the candle time)']);
  });
});
