import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/shared-data.ts';

/** Runs the real CLI in a child process, as a user would. */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneCleanLine(stderr: string, ...needles: string[]): void {
  const lines = stderr.trim().split('\n').filter((l) => !l.includes('nodedir'));
  expect(lines).toHaveLength(1);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

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
