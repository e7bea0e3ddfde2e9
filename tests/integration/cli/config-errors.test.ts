import { describe, expect, it } from 'vitest';
import { cli, expectOneCleanLine } from './cli-env.ts';

describe('CLI config errors', () => {
  it('exits 2 with one line naming section.key for a bad value in the file', () => {
    const r = cli(['--config', 'tests/fixtures/config/bad-value.ini', 'config', 'check']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'CT_ERR_CONFIG_INVALID', 'tests/fixtures/config/bad-value.ini', 'risk.position_pct', '"lots"');
  });

  it('exits 2 with one line for an unknown key, suggesting the right one', () => {
    const r = cli(['--config', 'tests/fixtures/config/unknown-key.ini', 'config', 'check']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, 'execution.fee_bsp', 'did you mean "fee_bps"');
  });

  it('exits 2 for a bad --set value, validated like the file', () => {
    const r = cli(['config', 'check', '--set', 'execution.slippage_model=magic']);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr, '--set', 'execution.slippage_model', '"magic"', 'fixed | atr');
  });

  it('exits 2 for a missing config file and for an unknown option', () => {
    const missing = cli(['--config', 'nope.ini', 'config', 'check']);
    expect(missing.code).toBe(2);
    expectOneCleanLine(missing.stderr, 'CT_ERR_CONFIG_NOT_FOUND', 'nope.ini');
    const bad = cli(['--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--frobnicate'");
  });

  it('prints exactly one JSON document on stdout with --json', () => {
    const r = cli(['config', 'check', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, file: 'config/config.ini', mode: 'backtest' });
  });

  it('shows help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--set <section.key=value>');
  });
});
