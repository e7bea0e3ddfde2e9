import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverStrategies } from '../../../src/strategies/loader.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import { batchFromSteps } from '../../../src/domain/candle-batch.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

// The example imports the SDK relative to strategies/custom/; in a temp dir those become absolute.
const dir = mkdtempSync(join(tmpdir(), 'ct-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the custom strategy example in strategies/custom/README.md and docs/strategies.md', () => {
  it('is the same text in both files, passes discovery and trades', async () => {
    const code = (file: string): string => /```ts\n([\s\S]*?)```/.exec(readFileSync(resolve(REPO_ROOT, file), 'utf8').split('## Writing a custom strategy')[1] ?? readFileSync(resolve(REPO_ROOT, file), 'utf8'))![1]!;
    const fromReadme = code('strategies/custom/README.md');
    expect(code('docs/strategies.md')).toBe(fromReadme);
    writeFileSync(join(dir, 'my_breakout.ts'), fromReadme.replaceAll("'../../src/", `'${REPO_ROOT}/src/`));
    const { ok, broken } = await discoverStrategies(dir);
    expect(broken).toEqual([]);
    const mine = ok.find((s) => s.id === 'my_breakout')!;
    const r = await StrategyRunner.create({ instanceId: 'my_breakout', strategyId: 'my_breakout', source: mine.source, params: { n: 3 }, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' });
    const H = 3_600_000;
    const closes = [10, 10, 10, 10, 12, 12, 9];
    const steps = closes.map((c, i) => ({ ts: i * H, candles: [{ symbol: 'BTC/USDT', candle: { ts: i * H, open: c, high: c, low: c, close: c, volume: 1 } }] }));
    const sigs = r.processBatch(batchFromSteps(['BTC/USDT'], steps));
    expect(sigs.map((s) => [s.kind, s.ts / H, s.stop])).toEqual([['enter_long', 4, 10], ['exit', 6, undefined]]);
  });
});
