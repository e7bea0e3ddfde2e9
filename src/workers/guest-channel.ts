/**
 * Starting a strategy guest and talking to it, for the two out-of-process isolation modes:
 *  - process: child_process.fork with `serialization: 'advanced'` (V8 structured clone over IPC, so
 *    Float64Arrays cross as typed arrays, not JSON);
 *  - worker:  a worker_threads Worker.
 * From the sources, both load tsx first; from the built JavaScript, neither does (worker-entry.ts).
 * Both present the same small GuestChannel so the host logic is written once.
 *
 * The guest gets a filtered environment (no API keys or secrets: strategies are user code) and its
 * stdout/stderr are captured line by line for the host's logger instead of mixing into ours.
 */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { codeUrl } from '../core/code-location.ts';
import type { HostMessage } from './protocol.ts';
import { forkExecArgv, workerStart } from './worker-entry.ts';

export interface GuestChannel {
  /** OS pid of the child process; undefined for a worker thread. */
  readonly pid: number | undefined;
  /** Worker thread id; undefined for a child process. */
  readonly threadId: number | undefined;
  /** Throws if the channel is closed. */
  send(m: HostMessage): void;
  /**
   * Resolves once every message sent so far has left this process: written to the IPC pipe (a
   * large one is written in parts, as the guest reads, only while our event loop runs); a
   * worker thread's port takes a message at once.
   */
  written(): Promise<void>;
  /** Ends the guest at once (SIGKILL / Worker.terminate). Idempotent. */
  kill(): void;
}

export interface GuestChannelEvents {
  onMessage(m: unknown): void;
  /** Called exactly once when the guest is gone. `error` is set when a worker thread died from an uncaught exception. */
  onExit(code: number | null, signal: string | null, error?: Error): void;
  /** One line the guest wrote to stdout/stderr. */
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
}

const GUEST_ENTRY = codeUrl('./strategy-guest.ts', import.meta.url);

/** Variables a guest may see. Everything else (API keys, tokens, passwords) stays in the daemon. */
const ENV_ALLOW = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'SYSTEMROOT'];

export function guestEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ENV_ALLOW) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

function readLines(stream: Readable | null, name: 'stdout' | 'stderr', cb: GuestChannelEvents['onOutput']): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let buf = '';
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trimEnd();
      buf = buf.slice(nl + 1);
      if (line.length > 0) cb(name, line);
    }
    // A guest printing without newlines must not grow our memory without bound.
    if (buf.length > 64 * 1024) {
      cb(name, buf);
      buf = '';
    }
  });
  stream.on('end', () => {
    if (buf.trim().length > 0) cb(name, buf.trimEnd());
  });
}

export function spawnGuest(isolation: 'process' | 'worker', ev: GuestChannelEvents): GuestChannel {
  return isolation === 'process' ? spawnProcessGuest(ev) : spawnWorkerGuest(ev);
}

function spawnProcessGuest(ev: GuestChannelEvents): GuestChannel {
  const child = fork(GUEST_ENTRY, [], {
    execArgv: forkExecArgv(GUEST_ENTRY),
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: guestEnv(),
  });
  let exited = false;
  child.on('message', (m) => ev.onMessage(m));
  // 'error' fires when the process could not be spawned or killed; 'exit' may not follow a spawn failure.
  child.on('error', (err) => {
    if (!exited && child.exitCode === null && child.pid === undefined) {
      exited = true;
      ev.onExit(null, null, err);
    }
  });
  child.on('exit', (code, signal) => {
    if (exited) return;
    exited = true;
    ev.onExit(code, signal);
  });
  readLines(child.stdout, 'stdout', ev.onOutput);
  readLines(child.stderr, 'stderr', ev.onOutput);
  let lastWrite: Promise<void> = Promise.resolve();
  return {
    pid: child.pid,
    threadId: undefined,
    send(m) {
      if (!child.connected) throw new Error('IPC channel to the strategy process is closed');
      // The callback also takes a failed write, which (as without one) only the exit handling reports.
      lastWrite = new Promise<void>((resolve) => child.send(m, () => resolve()));
    },
    written: () => lastWrite,
    kill() {
      if (!exited && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function spawnWorkerGuest(ev: GuestChannelEvents): GuestChannel {
  const start = workerStart(GUEST_ENTRY);
  const worker = new Worker(start.filename, {
    workerData: start.workerData,
    env: guestEnv(),
    stdout: true,
    stderr: true,
  });
  let exited = false;
  let uncaught: Error | undefined;
  worker.on('message', (m) => ev.onMessage(m));
  worker.on('error', (err) => {
    uncaught = err;
  });
  worker.on('exit', (code) => {
    if (exited) return;
    exited = true;
    ev.onExit(code, null, uncaught);
  });
  readLines(worker.stdout, 'stdout', ev.onOutput);
  readLines(worker.stderr, 'stderr', ev.onOutput);
  return {
    pid: undefined,
    threadId: worker.threadId,
    send(m) {
      if (exited) throw new Error('the strategy worker thread has exited');
      worker.postMessage(m);
    },
    written: () => Promise.resolve(),
    kill() {
      if (!exited) void worker.terminate();
    },
  };
}
