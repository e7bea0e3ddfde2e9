/**
 * Download progress: a cli-progress bar on an interactive terminal, otherwise a plain log line
 * every 10 % (never on stdout: stdout is for command results that scripts may parse).
 */
import cliProgress from 'cli-progress';
import type { VenueLogger } from '../../venues/bybit/retry.ts';

export interface ProgressSink {
  start(total: number, label: string): void;
  /** `done` units completed so far out of `total`. */
  update(done: number, note: string): void;
  stop(): void;
}

export const NO_PROGRESS: ProgressSink = { start() {}, update() {}, stop() {} };

/** Logs "label: 40% (4/10 pages) note" at each 10 % step. */
export class LogLineProgress implements ProgressSink {
  private total = 0;
  private label = '';
  private lastDecile = -1;
  constructor(private readonly logger: VenueLogger) {}
  start(total: number, label: string): void {
    this.total = Math.max(1, total);
    this.label = label;
    this.lastDecile = -1;
  }
  update(done: number, note: string): void {
    const decile = Math.min(10, Math.floor((done / this.total) * 10));
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.logger.info({ label: this.label, done, total: this.total }, `${this.label}: ${decile * 10}% (${done}/${this.total} pages) ${note}`);
  }
  stop(): void {}
}

export class TtyBarProgress implements ProgressSink {
  private readonly bar: cliProgress.SingleBar;
  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      { stream, format: '{label} [{bar}] {percentage}% | {value}/{total} pages | {note}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
  }
  start(total: number, label: string): void {
    this.bar.start(Math.max(1, total), 0, { label, note: '' });
  }
  update(done: number, note: string): void {
    this.bar.update(done, { note });
  }
  stop(): void {
    this.bar.stop();
  }
}

/** A bar when stderr is a TTY, log lines otherwise. */
export function autoProgress(logger: VenueLogger, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  return stream.isTTY === true ? new TtyBarProgress(stream) : new LogLineProgress(logger);
}
