import { isoUtc } from '../core/time.ts';
import type { StepStatus } from '../engine/candle-loop.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * The compact live status of a running daemon: on a TTY one line on stderr rewritten in place at
 * most 5 times a second; otherwise an info log line every `everySteps` steps. Never stdout.
 */
export function statusReporter(logger: Logger, openPositions: () => number, everySteps = 500): (s: StepStatus) => void {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  return (s) => {
    const last = s.lastSignal ? `${s.lastSignal.strategyId} ${s.lastSignal.kind} ${s.lastSignal.symbol}` : '-';
    if (tty) {
      const now = performance.now();
      if (now - lastDraw < 200) return;
      lastDraw = now;
      const line = `${isoUtc(s.ts)}  step ${s.steps}  equity ${s.equity.toFixed(2)}  open ${openPositions()}  fills ${s.fills}  last ${last}`;
      process.stderr.write(`\r\x1b[2K${line}`);
    } else if (s.steps % everySteps === 0) {
      logger.info({ ts: isoUtc(s.ts), step: s.steps, equity: Number(s.equity.toFixed(2)), open: openPositions(), fills: s.fills, last }, 'status');
    }
  };
}

export function clearStatusLine(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}
