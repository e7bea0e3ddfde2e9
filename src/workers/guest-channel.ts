/**
 * Starting a strategy guest and talking to it, for the two out-of-process isolation modes:
 *  - process: child_process.fork with `serialization: 'advanced'` (V8 structured clone over IPC, so
 *    Float64Arrays cross as typed arrays, not JSON);
 *  - worker:  a worker_threads Worker.
 * A child process runs sandboxed (guest-sandbox.ts: permission model, memory cap, watchdog,
 * daemon-compiled TypeScript). A worker thread shares the daemon's process, so it has no such
 * boundary (docs/strategies.md); it gets a V8 heap cap (resourceLimits) and, from the sources, tsx
 * (worker-entry.ts). Both present the same small GuestChannel so the host logic is written once.
 *
 * The guest gets a filtered environment (no API keys or secrets: strategies are user code) and its
 * stdout/stderr are captured line by line for the host's logger instead of mixing into ours.
 */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { codeUrl } from '../core/code-location.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { guestEnv, processGuestLaunch } from './guest-sandbox.ts';
import type { HostMessage } from './protocol.ts';
import { workerStart } from './worker-entry.ts';

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

/** What a guest runs and within which limits. */
export interface GuestLaunch {
  readonly spec: StrategySpec;
  /** strategies.max_memory_mb: heap cap of a worker thread; heap and resident-memory cap of a process. */
  readonly maxMemoryMb: number;
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

export function spawnGuest(isolation: 'process' | 'worker', ev: GuestChannelEvents, launch: GuestLaunch): GuestChannel {
  return isolation === 'process' ? spawnProcessGuest(ev, launch) : spawnWorkerGuest(ev, launch);
}

function spawnProcessGuest(ev: GuestChannelEvents, launch: GuestLaunch): GuestChannel {
  const { execArgv, env } = processGuestLaunch(launch.spec, launch.maxMemoryMb);
  const child = fork(GUEST_ENTRY, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env,
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

function spawnWorkerGuest(ev: GuestChannelEvents, launch: GuestLaunch): GuestChannel {
  const start = workerStart(GUEST_ENTRY);
  const worker = new Worker(start.filename, {
    workerData: start.workerData,
    env: guestEnv(),
    resourceLimits: { maxOldGenerationSizeMb: launch.maxMemoryMb },
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
