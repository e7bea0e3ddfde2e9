import type { CheckResult, PreflightReport } from './check.ts';

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/** One check as the operator reads it: status, id, reason, and on the next line the fix. */
export function checkLine(c: CheckResult): string {
  const head = `${LABEL[c.status]}  ${c.id.padEnd(22)} ${c.reason}`;
  return c.fix === '' ? head : `${head}\n      ${''.padEnd(22)} fix: ${c.fix}`;
}

/** The whole report as text: one block per check, then the verdict. */
export function reportText(r: PreflightReport): string {
  const lines = [`preflight (${r.mode}) on ${r.config}${r.strict ? ', --strict' : ''}`, ...r.checks.map(checkLine)];
  const verdict = r.ok ? 'ready' : r.counts.fail > 0 ? 'NOT ready' : 'NOT ready (--strict: warnings fail)';
  lines.push(`${r.counts.pass} passed, ${r.counts.warn} warned, ${r.counts.fail} failed: ${verdict}`);
  return `${lines.join('\n')}\n`;
}

/** The --json document: the same as one object (docs/preflight.md "JSON shape"). */
export function reportJson(r: PreflightReport): Record<string, unknown> {
  return { mode: r.mode, config: r.config, strict: r.strict, ok: r.ok, counts: r.counts, checks: r.checks.map((c) => ({ ...c })) };
}
