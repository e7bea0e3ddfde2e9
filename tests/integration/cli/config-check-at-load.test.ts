import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { cli, expectOneCleanLine } from './cli-env.ts';

describe('config checked completely when it is loaded', () => {
  it('config check exits 2 for a strategy parameter outside its schema', () => {
    const r = cli(['config', 'check', '--set', 'strategy.simple_ma.fast=0']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_STRATEGY_PARAM_INVALID', '--set', 'strategy.simple_ma.fast = "0"', 'an integer in [1, 1000]');
  });

  it('a backtest exits 2 on fast >= slow before any run, process or file is started', () => {
    const ws = tempWorkspace('ct-params-');
    const r = cli([...ws.sets.flatMap((s) => ['--set', s]), '--set', 'strategy.simple_ma.fast=60']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_STRATEGY_PARAM_INVALID', 'strategy.simple_ma.fast = 60', 'fast must be < slow (50)');
    for (const dir of ['State', 'results', 'data']) expect(existsSync(join(ws.root, dir)), dir).toBe(false);
  });

  it('exits 2 for a bad parameter of a strategy that is not enabled', () => {
    const r = cli(['config', 'check', '--set', 'strategy.ema_cross.slow=1']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'strategy.ema_cross.slow = "1"', 'an integer in [2, 5000]');
  });

  it('exits 2 for an old [backtest] key, naming where it moved', () => {
    const r = cli(['config', 'check', '--set', 'backtest.fee_bps=5']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_CONFIG_INVALID', '--set', 'backtest.fee_bps moved to execution.fee_bps');
  });

  it('exits 2 for an empty config file, naming it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ct-empty-')), 'empty.ini');
    writeFileSync(file, '; nothing here\n');
    const r = cli(['--config', file, 'config', 'check']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_CONFIG_INVALID', file, 'sets no key at all');
  });
});
