import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino, { type Logger, type DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';
import { REDACT_PATHS, scrub } from './scrub.ts';

export type { Logger };

export interface LoggerOptions {
  readonly level: string;
  /** Directory for JSON-lines log files; undefined = no file. */
  readonly logDir?: string;
  /** File name inside logDir, e.g. `cryptotrader.log`. */
  readonly fileName?: string;
  /** Human-readable lines on stderr (TTY) — never stdout, which belongs to --json output. */
  readonly human: boolean;
  /** Level for stderr when not human (non-TTY): keep the terminal quiet, the file has everything. */
  readonly stderrLevel?: string;
}

/** Wraps a stream so every written line passes the secret scrubber. */
function scrubbing(dest: DestinationStream): DestinationStream {
  return { write: (s: string) => dest.write(scrub(s)) } as DestinationStream;
}

/**
 * One root logger per process; components take `logger.child({ component })`. JSON lines go to
 * logs/<fileName>; a TTY gets pino-pretty lines on stderr. Secrets are redacted by path and scrubbed
 * by value.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (opts.logDir && opts.fileName) {
    mkdirSync(opts.logDir, { recursive: true });
    // sync: true so the last lines before a fatal exit are on disk (pino docs/asynchronous.md).
    streams.push({ level: opts.level as pino.Level, stream: scrubbing(pino.destination({ dest: join(opts.logDir, opts.fileName), sync: true, mkdir: true })) });
  }
  if (opts.human) {
    // Loaded only for a TTY: pino-pretty and its dependencies cost every non-interactive run (a
    // backtest under a script, a sweep job) tens of milliseconds for lines it never prints.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    streams.push({ level: opts.level as pino.Level, stream: scrubbing(pretty({ destination: 2, colorize: process.stderr.isTTY, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })) });
  } else {
    streams.push({ level: (opts.stderrLevel ?? 'warn') as pino.Level, stream: scrubbing(pino.destination({ dest: 2, sync: true })) });
  }
  return pino(
    { level: lowest(streams.map((s) => s.level as string)), redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { pid: process.pid } },
    pino.multistream(streams),
  );
}

/** A logger that writes nothing (library use and tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function lowest(levels: string[]): string {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return order[Math.min(...levels.map((l) => Math.max(0, order.indexOf(l))))] ?? 'info';
}
