/**
 * The preflight check model: every check has a stable id, a status, the reason it has that
 * status, the fix when it is not a pass, and whether a failure stops a forward/live start
 * (`fatal`). A check never throws: what went wrong is its reason. The same records feed the
 * `preflight` command's text and --json output and the gate at every forward/live start.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export type PreflightMode = 'backtest' | 'forward' | 'live';

export const PREFLIGHT_MODES: readonly PreflightMode[] = ['backtest', 'forward', 'live'];

export interface CheckResult {
  /** Stable, dotted: `state.writable`, `exchange.clock`, `keys.withdraw`, ... (docs/preflight.md lists them). */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, with the figures (never a secret). */
  readonly reason: string;
  /** What to do about it; '' for a pass. */
  readonly fix: string;
  /** A failure refuses a forward/live start (unless --skip-preflight). */
  readonly fatal: boolean;
}

export const pass = (id: string, reason: string, fatal = true): CheckResult => ({ id, status: 'pass', reason, fix: '', fatal });
export const warn = (id: string, reason: string, fix: string, fatal = false): CheckResult => ({ id, status: 'warn', reason, fix, fatal });
export const fail = (id: string, reason: string, fix: string, fatal = true): CheckResult => ({ id, status: 'fail', reason, fix, fatal });

export interface PreflightReport {
  readonly mode: PreflightMode;
  readonly config: string;
  readonly strict: boolean;
  readonly checks: readonly CheckResult[];
  readonly counts: { readonly pass: number; readonly warn: number; readonly fail: number };
  /** Nothing failed (and, with --strict, nothing warned). */
  readonly ok: boolean;
}

export function buildReport(mode: PreflightMode, config: string, strict: boolean, checks: readonly CheckResult[]): PreflightReport {
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return { mode, config, strict, checks, counts, ok: counts.fail === 0 && (!strict || counts.warn === 0) };
}

/** The failed checks a start must refuse on: fatal ones that failed. */
export function fatalFailures(checks: readonly CheckResult[]): CheckResult[] {
  return checks.filter((c) => c.status === 'fail' && c.fatal);
}

/** One line per check result from an error: what it said, never a stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
