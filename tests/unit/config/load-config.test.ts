import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverrides, rawFromIniText, validateConfig } from '../../../src/config/load.ts';
import { SECTIONS } from '../../../src/config/schema.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const shipped = readFileSync(join(REPO_ROOT, 'config', 'config.ini'), 'utf8');

function problemsOf(text: string, sets: string[] = []): string[] {
  const raw = rawFromIniText(text);
  applyOverrides(raw, sets);
  try {
    validateConfig(raw, 'test.ini');
    return [];
  } catch (e) {
    if (!isCtError(e)) throw e;
    expect(e.code).toBe('CT_ERR_CONFIG_INVALID');
    return e.message.split('\n');
  }
}

describe('config loading', () => {
  it('accepts the shipped config and returns typed, frozen values', () => {
    const c = validateConfig(rawFromIniText(shipped), 'config.ini');
    expect(c.general.mode).toBe('backtest');
    expect(c.backtest.initial_cash).toBe(10000);
    expect(c.market.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(c.backtest.from).toBe(Date.UTC(2022, 0, 1));
    expect(c.strategy.simple_ma).toEqual({ fast: '20', slow: '50' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.risk)).toBe(true);
    expect(() => {
      (c.risk as { position_pct: number }).position_pct = 5;
    }).toThrow();
  });

  it('ships every key of every section, each with a comment line above it', () => {
    const lines = shipped.split('\n');
    for (const [section, fields] of Object.entries(SECTIONS)) {
      const start = lines.indexOf(`[${section}]`);
      expect(start, `[${section}] missing from config.ini`).toBeGreaterThanOrEqual(0);
      for (const key of Object.keys(fields)) {
        const i = lines.findIndex((l, idx) => idx > start && new RegExp(`^${key}\\s*=`).test(l));
        expect(i, `${section}.${key} missing from config.ini`).toBeGreaterThan(start);
        expect(lines[i - 1], `${section}.${key} has no comment`).toMatch(/^;/);
      }
    }
  });

  it('names section.key, the bad value and what is allowed', () => {
    expect(problemsOf(shipped, ['risk.position_pct=abc'])).toEqual(['--set: risk.position_pct = "abc" is invalid: expected a number > 0 and <= 1000']);
    expect(problemsOf(shipped.replace('fill_model = next_open', 'fill_model = vwap'))).toEqual([
      'test.ini: execution.fill_model = "vwap" is invalid: expected one of next_open | close',
    ]);
  });

  it('rejects unknown keys and sections with a did-you-mean', () => {
    expect(problemsOf(shipped, ['risk.max_open_position=3'])).toEqual(['--set: unknown key risk.max_open_position (did you mean "max_open_positions"?)']);
    expect(problemsOf(`${shipped}\n[rsik]\nx = 1\n`)).toEqual(['test.ini: unknown section [rsik] (did you mean "risk"?)']);
  });

  it('requires a backtest range in backtest mode only', () => {
    expect(problemsOf(shipped, ['backtest.from='])).toEqual(['--set: backtest.from is required in backtest mode: expected a date YYYY-MM-DD']);
    expect(problemsOf(shipped, ['backtest.from=', 'general.mode=forward'])).toEqual([]);
  });

  it('runs the named cross-field checks', () => {
    expect(problemsOf(shipped, ['exchange.market=linear', 'market.symbols=BTC/USDT:USDT', 'risk.max_leverage=3'])).toEqual([]);
    expect(problemsOf(shipped, ['risk.max_leverage=3'])[0]).toContain('risk.max_leverage = 3 is not possible on spot');
    expect(problemsOf(shipped, ['strategies.weights=ema_cross:0.5'])[0]).toContain('strategies.weights names "ema_cross", which is not in strategies.enabled');
  });

  it('rejects a malformed --set', () => {
    expect(() => applyOverrides(rawFromIniText(shipped), ['risk'])).toThrow(/expected section.key=value/);
  });
});
