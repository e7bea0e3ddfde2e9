import { describe, expect, it } from 'vitest';
import { checkStrategyParams } from '../../../src/app/strategy-params.ts';
import { CtError } from '../../../src/core/errors.ts';
import { configWith } from '../../support/backtest-env.ts';

/** Custom strategies of this test: channel_break (valid) and reads_clock (refused by the source check). */
const CUSTOM = 'strategies.custom_dir=tests/fixtures/config/strategies';

async function problem(sets: string[]): Promise<CtError> {
  const { config, raw } = configWith(sets);
  try {
    await checkStrategyParams(config, raw);
  } catch (e) {
    if (e instanceof CtError) return e;
    throw e;
  }
  throw new Error('expected the strategy parameters to be refused');
}

async function accepted(sets: string[]): Promise<void> {
  const { config, raw } = configWith(sets);
  await checkStrategyParams(config, raw);
}

describe('strategy parameters validated when the config is loaded', () => {
  it('accepts the shipped config and valid parameters of any built-in', async () => {
    await accepted([]);
    await accepted(['strategy.ema_cross.fast=5', 'strategy.ema_cross.slow=30', 'strategy.rsi_reversion.period=10']);
  });

  it('refuses a parameter outside its schema, naming the key, the value and what is allowed', async () => {
    const e = await problem(['strategy.simple_ma.fast=0']);
    expect(e.code).toBe('CT_ERR_STRATEGY_PARAM_INVALID');
    expect(e.message).toBe('--set: strategy.simple_ma.fast = "0" is not allowed: expected an integer in [1, 1000]');
  });

  it("runs the strategy's cross-parameter rule (fast must be below slow)", async () => {
    const e = await problem(['strategy.simple_ma.fast=50']);
    expect(e.code).toBe('CT_ERR_STRATEGY_PARAM_INVALID');
    expect(e.message).toBe('--set: strategy.simple_ma.fast = 50 is not allowed: fast must be < slow (50)');
  });

  it('validates the section of a strategy that is not enabled', async () => {
    const e = await problem(['strategy.ema_cross.fast=0']);
    expect(e.message).toBe('--set: strategy.ema_cross.fast = "0" is not allowed: expected an integer in [1, 1000]');
  });

  it('names every bad parameter at once, unknown ones with a did-you-mean', async () => {
    const e = await problem(['strategy.ema_cross.fast=0', 'strategy.ema_cross.slwo=30']);
    expect(e.message.split('\n')).toEqual([
      '--set: strategy.ema_cross.fast = "0" is not allowed: expected an integer in [1, 1000]',
      '--set: strategy.ema_cross.slwo: unknown parameter (did you mean "slow"?); ema_cross takes: fast, slow, shorts',
    ]);
  });

  it('refuses a [strategy.<id>] section naming no strategy, with a did-you-mean', async () => {
    const e = await problem(['strategy.smple_ma.fast=3']);
    expect(e.code).toBe('CT_ERR_CONFIG_INVALID');
    expect(e.message).toMatch(/^--set: unknown section \[strategy\.smple_ma\]: strategy "smple_ma" is neither built in nor a file .*smple_ma\.ts \(did you mean "simple_ma"\?\)$/);
  });

  it('refuses an enabled id that is neither built in nor a custom file', async () => {
    const e = await problem(['strategies.enabled=ema_crss']);
    expect(e.code).toBe('CT_ERR_STRATEGY_NOT_FOUND');
    expect(e.message).toMatch(/^--set: strategies.enabled names "ema_crss", which is neither built in nor a file .* \(did you mean "ema_cross"\?\)$/);
  });

  it('validates a custom strategy from strategies.custom_dir against its own schema and rule', async () => {
    await accepted([CUSTOM, 'strategy.channel_break.entry=30', 'strategy.channel_break.exit=15']);
    expect((await problem([CUSTOM, 'strategy.channel_break.entry=1'])).message).toBe(
      '--set: strategy.channel_break.entry = "1" is not allowed: expected an integer in [2, 500]',
    );
    expect((await problem([CUSTOM, 'strategies.enabled=channel_break', 'strategy.channel_break.exit=40'])).message).toBe(
      '--set: strategy.channel_break.exit = 40 is not allowed: exit must be <= entry (20)',
    );
  });

  it('lets a broken custom file fail a command only when the config refers to it', async () => {
    await accepted([CUSTOM]);
    await accepted([CUSTOM, 'strategies.enabled=channel_break']);
    const enabled = await problem([CUSTOM, 'strategies.enabled=simple_ma,reads_clock']);
    expect(enabled.code).toBe('CT_ERR_STRATEGY_LOAD');
    expect(enabled.message).toContain('reads_clock.ts: breaks the strategy no-I/O rule');
    const section = await problem([CUSTOM, 'strategy.reads_clock.x=1']);
    expect(section.code).toBe('CT_ERR_STRATEGY_LOAD');
  });
});
