import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandGrid } from '../../../src/cli/sweep-command.ts';
import { HAS_SHARED_DATA, REPO_ROOT } from '../../support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../support/backtest-env.ts';

const ws = tempWorkspace('ct-sweep-');

describe('sweep: many backtests in parallel from one command', () => {
  it('expands parameter grids into their cartesian product', () => {
    expect(expandGrid(['strategy.a.x=1,2', 'strategy.a.y=3,4'])).toEqual([
      ['strategy.a.x=1', 'strategy.a.y=3'], ['strategy.a.x=1', 'strategy.a.y=4'],
      ['strategy.a.x=2', 'strategy.a.y=3'], ['strategy.a.x=2', 'strategy.a.y=4'],
    ]);
    expect(expandGrid([])).toEqual([[]]);
    expect(() => expandGrid(['strategy.a.x'])).toThrow(/expected section.key=v1,v2/);
  });

  describe.skipIf(!HAS_SHARED_DATA)('on real data', () => {
    beforeAll(async () => {
      await importShared(configWith(ws.sets).config.general.data_dir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
    });

    it('runs strategies x grid on a piscina pool and reports every job with its results folder', () => {
      const sets = [...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2023-01-01', 'backtest.to=2024-01-01', 'backtest.auto_download=false'];
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'main.ts', ...sets.flatMap((s) => ['--set', s]), 'sweep', '--strategies', 'simple_ma,ema_cross', '--symbols', 'BTC/USDT', '--grid', 'strategy.simple_ma.fast=10,15', '--threads', '2', '--json'],
        { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.stderr).not.toMatch(/CT_ERR_/);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { jobs: Array<{ job: string; ok: boolean; results_dir: string }> };
      expect(out.jobs.map((j) => j.job)).toEqual([
        'simple_ma BTC/USDT strategy.simple_ma.fast=10', 'simple_ma BTC/USDT strategy.simple_ma.fast=15',
        'ema_cross BTC/USDT strategy.simple_ma.fast=10', 'ema_cross BTC/USDT strategy.simple_ma.fast=15',
      ]);
      for (const j of out.jobs) {
        expect(j.ok).toBe(true);
        expect(existsSync(join(j.results_dir, 'metrics.json'))).toBe(true);
      }
    });

    it('exits 2 before any work when one job\'s config is invalid', () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', ...ws.sets.flatMap((s) => ['--set', s]), 'sweep', '--strategies', 'simple_ma', '--grid', 'risk.position_pct=50,abc'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('risk.position_pct = "abc"');
    });
  });
});
