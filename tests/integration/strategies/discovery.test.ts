import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_IDS, discoverStrategies, resolveStrategySource } from '../../../src/strategies/loader.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import { batchFromSteps } from '../../../src/domain/candle-batch.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const SDK = resolve(REPO_ROOT, 'src/strategy-sdk/index.ts');
const dir = mkdtempSync(join(tmpdir(), 'ct-custom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = `import { defineStrategy } from '${SDK}';
export default defineStrategy({
  schema: { id: 'my_breakout', name: 'My breakout', version: '0.1.0', description: 'buys a new 3-bar high', inputs: { n: { type: 'int', default: 3, min: 2 } } },
  warmup: (p) => p.n + 1,
  onCandle(ctx) {
    const d = ctx.ind.donchian(ctx.params.n);
    const close = ctx.price('close').last();
    if (ctx.position() === 0 && close > d.upper.last(1)) ctx.signal({ kind: 'enter_long', reason: 'new high', indicators: { close } });
  },
});
`;

describe('custom strategy discovery', () => {
  writeFileSync(join(dir, 'my_breakout.ts'), good);
  writeFileSync(join(dir, 'syntax_error.ts'), `import { defineStrategy } from '${SDK}';\nexport default defineStrategy({ schema: { id: 'syntax_error' ,, });\n`);
  writeFileSync(join(dir, 'throws_at_import.ts'), `throw new Error('cannot start');\n`);
  writeFileSync(join(dir, 'bad_schema.ts'), `export const schema = { id: 'bad_schema', name: 'x', version: 'one', description: 'x', inputs: {} };\nexport function onCandle() {}\n`);
  writeFileSync(join(dir, 'reads_files.ts'), `import { defineStrategy } from '${SDK}';\nimport { readFileSync } from 'node:fs';\nexport default defineStrategy({ schema: { id: 'reads_files', name: 'x', version: '1.0.0', description: 'x', inputs: {} }, onCandle() { readFileSync('/etc/passwd'); } });\n`);
  writeFileSync(join(dir, 'README.md'), 'not a strategy');

  it('lists the good one and reports each broken file with its error, without stopping', async () => {
    const { ok, broken } = await discoverStrategies(dir);
    expect(ok.map((s) => s.id)).toEqual([...BUILTIN_IDS, 'my_breakout']);
    const mine = ok.find((s) => s.id === 'my_breakout')!;
    expect(mine).toMatchObject({ name: 'My breakout', version: '0.1.0', source: { kind: 'file', path: join(dir, 'my_breakout.ts') }, inputs: { n: { type: 'int', default: 3, min: 2 } } });
    const byFile = Object.fromEntries(broken.map((b) => [b.file.slice(dir.length + 1), b]));
    expect(Object.keys(byFile).sort()).toEqual(['bad_schema.ts', 'reads_files.ts', 'syntax_error.ts', 'throws_at_import.ts']);
    expect(byFile['reads_files.ts']!.error).toContain(`${join(dir, 'reads_files.ts')}:2:`);
    expect(byFile['reads_files.ts']!.error).toContain('import "node:fs" is not allowed');
    expect(byFile['bad_schema.ts']!.error).toContain('schema.version must be semver');
    expect(byFile['throws_at_import.ts']!.error).toContain('cannot start');
    expect(byFile['syntax_error.ts']!.error).toContain('could not be imported');
    for (const b of broken) expect(b.code).toBe('CT_ERR_STRATEGY_LOAD');
  });

  it('resolves ids builtin-first then custom, and runs the good custom strategy', async () => {
    expect(resolveStrategySource('simple_ma', dir)).toEqual({ kind: 'builtin', id: 'simple_ma' });
    const source = resolveStrategySource('my_breakout', dir);
    expect(source).toEqual({ kind: 'file', path: join(dir, 'my_breakout.ts') });
    expect(() => resolveStrategySource('nope', dir)).toThrow(expect.objectContaining({ code: 'CT_ERR_STRATEGY_NOT_FOUND' }));
    const r = await StrategyRunner.create({ instanceId: 'my_breakout', strategyId: 'my_breakout', source, params: { n: '3' }, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' });
    const H = 3_600_000;
    const closes = [10, 10, 10, 10, 10, 12];
    const steps = closes.map((c, i) => ({ ts: i * H, candles: [{ symbol: 'BTC/USDT', candle: { ts: i * H, open: c, high: c, low: c, close: c, volume: 1 } }] }));
    const sigs = r.processBatch(batchFromSteps(['BTC/USDT'], steps));
    expect(sigs.map((s) => [s.kind, s.ts])).toEqual([['enter_long', 5 * H]]);
  });

  it('refuses to load a forbidden file directly (never importing it)', async () => {
    await expect(StrategyRunner.create({ instanceId: 'r', strategyId: 'reads_files', source: { kind: 'file', path: join(dir, 'reads_files.ts') }, params: {}, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' }))
      .rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_LOAD', message: expect.stringContaining('breaks the strategy no-I/O rule') });
  });
});
