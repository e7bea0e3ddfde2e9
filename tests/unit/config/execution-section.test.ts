import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillModelOf } from '../../../src/app/component-options.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { MOVED_KEYS, SECTIONS } from '../../../src/config/schema.ts';
import { CtError } from '../../../src/core/errors.ts';
import { configWith } from '../../support/backtest-env.ts';

const EXECUTION_KEYS = ['fee_bps', 'maker_fee_bps', 'slippage_bps', 'slippage_model', 'atr_slippage_mult', 'atr_period', 'fill_model', 'funding_fallback_rate', 'funding_interval_hours'];

function errorOf(fn: () => unknown): CtError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CtError) return e;
    throw e;
  }
  throw new Error('expected a CtError');
}

function tempFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ct-config-')), 'config.ini');
  writeFileSync(file, text);
  return file;
}

describe('[execution]: what backtest and paper trading both use', () => {
  it('holds the fill-model keys; [backtest] keeps only the range, cash and data settings', () => {
    expect(Object.keys(SECTIONS.execution)).toEqual(EXECUTION_KEYS);
    expect(Object.keys(SECTIONS.backtest)).toEqual(['from', 'to', 'initial_cash', 'data_exchange', 'auto_download', 'batch_size']);
  });

  it('keeps the defaults the keys had in [backtest], so results do not change', () => {
    const { config } = configWith([]);
    expect(config.execution).toEqual({
      fee_bps: 10, maker_fee_bps: 2, slippage_bps: 2, slippage_model: 'fixed', atr_slippage_mult: 0.05, atr_period: 14,
      fill_model: 'next_open', funding_fallback_rate: 0.0001, funding_interval_hours: 8,
    });
  });

  it('drives the fill simulator from execution.* keys', () => {
    const { config } = configWith(['execution.fee_bps=7', 'execution.maker_fee_bps=-1', 'execution.slippage_model=atr', 'execution.atr_period=21', 'execution.fill_model=close']);
    expect(fillModelOf(config)).toMatchObject({ takerFeeBps: 7, makerFeeBps: -1, slippageModel: 'atr', atrPeriod: 21, fillModel: 'close' });
  });
});

describe('moved keys', () => {
  it('refuses each old backtest.* key given with --set, naming its new place', () => {
    expect(Object.keys(MOVED_KEYS).filter((k) => k.startsWith('backtest.')).sort()).toEqual(EXECUTION_KEYS.map((k) => `backtest.${k}`).sort());
    for (const k of EXECUTION_KEYS) {
      const e = errorOf(() => configWith([`backtest.${k}=5`]));
      expect(e.code).toBe('CT_ERR_CONFIG_INVALID');
      expect(e.message).toBe(`--set: backtest.${k} moved to execution.${k}: set execution.${k} = 5 instead`);
    }
  });

  it('refuses an old key in the file, naming the file and the new key', () => {
    const file = tempFile('[backtest]\nfrom = 2022-01-01\nto = 2023-01-01\nfee_bps = 6\n');
    const e = errorOf(() => loadConfig({ file }));
    expect(e.code).toBe('CT_ERR_CONFIG_INVALID');
    expect(e.message).toBe(`${file}: backtest.fee_bps moved to execution.fee_bps: set execution.fee_bps = 6 instead`);
  });
});

describe('an empty config file', () => {
  it('is an error naming the file, not a run on built-in defaults', () => {
    for (const text of ['', '; only a comment\n\n', '[general]\n[risk]\n']) {
      const file = tempFile(text);
      const e = errorOf(() => loadConfig({ file, sets: ['risk.position_pct=50'] }));
      expect(e.code).toBe('CT_ERR_CONFIG_INVALID');
      expect(e.message).toContain(`${file}: the config file sets no key at all`);
    }
  });

  it('does not affect a file that sets a single key', () => {
    const { config } = loadConfig({ file: tempFile('[risk]\nposition_pct = 50\n') });
    expect(config.risk.position_pct).toBe(50);
    expect(config.execution.fee_bps).toBe(10);
  });
});
