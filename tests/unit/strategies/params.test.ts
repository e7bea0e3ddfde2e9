import { describe, expect, it } from 'vitest';
import { CtError } from '../../../src/core/errors.ts';
import { validateParams, validateSchema } from '../../../src/strategy-sdk/schema.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';

const schema = validateSchema({
  id: 'demo', name: 'Demo', version: '1.0.0', description: 'demo',
  inputs: {
    fast: { type: 'int', default: 20, min: 2, max: 100 },
    k: { type: 'float', default: 2, min: 0.5 },
    shorts: { type: 'bool', default: false },
    mode: { type: 'select', default: 'equal', options: ['equal', 'full'] },
  },
}, 'test');

function paramError(raw: Record<string, unknown>): CtError {
  try {
    validateParams(schema, raw);
  } catch (e) {
    if (e instanceof CtError) return e;
    throw e;
  }
  throw new Error('expected a CtError');
}

describe('strategy parameters', () => {
  it('fills defaults and returns a frozen object', () => {
    const p = validateParams(schema, {});
    expect(p).toEqual({ fast: 20, k: 2, shorts: false, mode: 'equal' });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('parses config text strictly', () => {
    expect(validateParams(schema, { fast: '30', k: '1.5', shorts: 'true', mode: 'full' })).toEqual({ fast: 30, k: 1.5, shorts: true, mode: 'full' });
    expect(paramError({ fast: '30abc' }).code).toBe('CT_ERR_STRATEGY_PARAM_INVALID');
  });

  it('rejects an unknown parameter naming strategy.<id>.<param> and suggesting the closest', () => {
    const e = paramError({ fsat: 10 });
    expect(e.code).toBe('CT_ERR_STRATEGY_PARAM_INVALID');
    expect(e.message).toContain('strategy.demo.fsat');
    expect(e.message).toContain('did you mean "fast"');
  });

  it('rejects out-of-range, non-integer, wrong-type and unlisted values with the value and what is allowed', () => {
    const range = paramError({ fast: 500 });
    expect(range.message).toContain('strategy.demo.fast = 500');
    expect(range.message).toContain('an integer in [2, 100]');
    expect(paramError({ fast: 2.5 }).message).toContain('strategy.demo.fast = 2.5');
    expect(paramError({ k: 0.1 }).message).toContain('a number >= 0.5');
    expect(paramError({ shorts: 'yes' }).message).toContain('true or false');
    expect(paramError({ mode: 'half' }).message).toContain('one of equal, full');
  });

  it('rejects a cross-parameter rule of a builtin (simple_ma fast >= slow)', async () => {
    await expect(StrategyRunner.create({
      instanceId: 'simple_ma', strategyId: 'simple_ma', source: { kind: 'builtin', id: 'simple_ma' },
      params: { fast: '60', slow: '50' }, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot',
    })).rejects.toMatchObject({ code: 'CT_ERR_STRATEGY_PARAM_INVALID', message: expect.stringContaining('strategy.simple_ma.fast = 60') });
  });

  it('rejects a schema whose default breaks its own bounds', () => {
    expect(() => validateSchema({ id: 'x', name: 'x', version: '1.0.0', description: 'x', inputs: { n: { type: 'int', default: 1, min: 2 } } }, 'file.ts'))
      .toThrow(/schema\.inputs\.n\.default 1 is outside/);
  });
});
