import { isoUtc } from '../core/time.ts';
import type { StepStatus } from '../engine/candle-loop.ts';
import type { Logger } from '../observability/logger.ts';
import type { OpenHole } from '../venues/bybit/kline-feed.ts';

/** A condition the operator must see on the status line while it lasts (a hole in the live feed). */
export type StatusFlag = string;

/** The flag of a hole in the live feed: `HOLE BTC/USDT 2024-05-01T10:00:00Z..2024-05-01T10:07:00Z (3 failed attempts)`. */
export function holeFlag(h: OpenHole): StatusFlag {
  return `HOLE ${h.symbol} ${isoUtc(h.fromTs)}..${h.toTs === undefined ? 'now' : isoUtc(h.toTs)}${h.attempts > 0 ? ` (${h.attempts} failed attempts)` : ''}`;
}

/**
 * Flags raised by parts of the session that do not own the status line (a hot reload that failed:
 * `RELOAD FAILED <instance>`), keyed so the same part can clear its own. Every status line of the
 * process shows them after the mode's own flags, and is redrawn when they change.
 */
const raisedFlags = new Map<string, StatusFlag>();
const reporters = new Set<StatusReporter>();

export function raiseStatusFlag(key: string, flag: StatusFlag): void {
  if (raisedFlags.get(key) === flag) return;
  raisedFlags.set(key, flag);
  for (const r of reporters) r.refresh();
}

export function clearStatusFlag(key: string): void {
  if (!raisedFlags.delete(key)) return;
  for (const r of reporters) r.refresh();
}

/** The flags raised with raiseStatusFlag, in the order they were raised. */
export function raisedStatusFlags(): StatusFlag[] {
  return [...raisedFlags.values()];
}

export interface StatusReporter {
  /** After every step. */
  (s: StepStatus): void;
  /**
   * The flags changed (a hole opened or closed) while no step may come (the loop waits for the
   * hole): redraw the line on a TTY; otherwise log a status line with the flags once per change.
   */
  refresh(): void;
}

/**
 * The compact live status of a running daemon: on a TTY one line on stderr rewritten in place at
 * most 5 times a second; otherwise an info log line every `everySteps` steps. Never stdout.
 * `flags` are appended to the line for as long as they are raised (e.g. `HOLE BTC/USDT 10:00..10:07`).
 */
export function statusReporter(logger: Logger, openPositions: () => number, everySteps = 500, modeFlags: () => readonly StatusFlag[] = () => []): StatusReporter {
  const flags = (): StatusFlag[] => [...modeFlags(), ...raisedFlags.values()];
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  let last: StepStatus | undefined;
  let loggedFlags = '';
  const text = (s: StepStatus | undefined, f: readonly StatusFlag[]): string => {
    const head = s === undefined
      ? 'waiting for the first step'
      : `${isoUtc(s.ts)}  step ${s.steps}  equity ${s.equity.toFixed(2)}  open ${openPositions()}  fills ${s.fills}  last ${lastSignal(s)}`;
    return f.length === 0 ? head : `${head}  ${f.join('  ')}`;
  };
  const logLine = (s: StepStatus | undefined, f: readonly StatusFlag[]): void => {
    const fields = s === undefined ? {} : { ts: isoUtc(s.ts), step: s.steps, candles: s.candles, equity: Number(s.equity.toFixed(2)), open: openPositions(), fills: s.fills, last: lastSignal(s) };
    logger.info({ ...fields, ...(f.length > 0 ? { flags: [...f] } : {}) }, f.length > 0 ? `status: ${f.join('; ')}` : 'status');
    loggedFlags = f.join('\n');
  };
  const report = ((s: StepStatus) => {
    last = s;
    const f = flags();
    if (tty) {
      const now = performance.now();
      if (now - lastDraw < 200) return;
      lastDraw = now;
      process.stderr.write(`\r\x1b[2K${text(s, f)}`);
    } else if (s.steps % everySteps === 0 || f.join('\n') !== loggedFlags) {
      logLine(s, f);
    }
  }) as StatusReporter;
  report.refresh = () => {
    const f = flags();
    if (tty) {
      lastDraw = performance.now();
      process.stderr.write(`\r\x1b[2K${text(last, f)}`);
    } else if (f.join('\n') !== loggedFlags) {
      logLine(last, f);
    }
  };
  reporters.add(report);
  return report;
}

function lastSignal(s: StepStatus): string {
  return s.lastSignal ? `${s.lastSignal.strategyId} ${s.lastSignal.kind} ${s.lastSignal.symbol}` : '-';
}

/** At the end of a session: the line is wiped and its reporters forgotten (a next session draws its own). */
export function clearStatusLine(): void {
  reporters.clear();
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}
