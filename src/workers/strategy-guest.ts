/**
 * Entry point of a strategy guest: runs ONE StrategyRunner inside a child process (forked with
 * `serialization: 'advanced'`) or a worker thread, and speaks src/workers/protocol.ts with its host.
 *
 * Lifecycle: wait for `init` -> create the runner -> `ready` -> answer requests in arrival order ->
 * on `shutdown` send `shutdown_ack` and exit. Heartbeats go out on a timer from `init` on; a handler
 * stuck in a loop blocks the timer, which is exactly how the host detects a hang.
 *
 * The guest never opens files for logs: console output is forwarded to the host as `log` messages
 * so the daemon's logger (with its secret scrubbing) writes everything.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort } from 'node:worker_threads';
import { CtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Signal } from '../domain/signal.ts';
import { StrategyRunner } from '../strategies/runner.ts';
import {
  PROTOCOL_VERSION,
  parseHostMessage,
  toWireError,
  type GuestMessage,
  type HostMessage,
  type LogLevel,
} from './protocol.ts';

type Send = (m: GuestMessage, done?: () => void) => void;

const inWorker = !isMainThread && parentPort !== null;
if (!inWorker && typeof process.send !== 'function') {
  throw new Error('strategy-guest.ts must be started by a strategy host (fork with an IPC channel, or a worker thread)');
}

const send: Send = inWorker
  ? (m, done) => {
      parentPort!.postMessage(m);
      done?.();
    }
  : (m, done) => {
      // The channel may already be closed if the host went away; nothing useful to do then.
      try {
        process.send!(m, undefined, undefined, () => done?.());
      } catch {
        done?.();
      }
    };

function log(level: LogLevel, msg: string, obj?: Record<string, unknown>): void {
  send({ v: PROTOCOL_VERSION, type: 'log', level, msg, ...(obj ? { obj } : {}) });
}

// Anything the runner or a strategy prints goes to the host's logger, never to our stdout.
const consoleLevels: Array<[keyof Console, LogLevel]> = [['log', 'info'], ['info', 'info'], ['warn', 'warn'], ['error', 'error'], ['debug', 'debug']];
for (const [name, level] of consoleLevels) {
  (console as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
    log(level, args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeJson(a))).join(' '));
}
function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

let runner: StrategyRunner | undefined;
let instanceId = '?';
let heartbeat: NodeJS.Timeout | undefined;
let heartbeatMs = 1000;
let lastBeat = 0;
let shuttingDown = false;

function beat(): void {
  lastBeat = performance.now();
  send({ v: PROTOCOL_VERSION, type: 'heartbeat', ts: Date.now() });
}

/** Rows per runner call when a batch is split (see processInChunks). */
const CHUNK_ROWS = 2048;

/**
 * Runs a batch through the runner in step-aligned chunks (typed-array views, no copies) and sends
 * a heartbeat between chunks when one is due. WHY: processBatch is synchronous, so a legitimately
 * long batch (tens of thousands of candles of a heavy strategy) would block the heartbeat timer and
 * look like a hang. Chunking keeps heartbeats flowing as long as each chunk is quick, while a
 * genuine infinite loop inside one onCandle still silences them. A step (rows sharing one ts) is
 * never split, so multi-symbol strategies see whole steps, exactly as with one big call.
 */
function processInChunks(r: StrategyRunner, b: CandleBatch): Signal[] {
  if (b.length <= CHUNK_ROWS) return r.processBatch(b);
  const out: Signal[] = [];
  let from = 0;
  while (from < b.length) {
    let to = Math.min(b.length, from + CHUNK_ROWS);
    while (to < b.length && b.ts[to] === b.ts[to - 1]) to++;
    const part: CandleBatch = {
      symbols: b.symbols,
      length: to - from,
      ts: b.ts.subarray(from, to),
      sym: b.sym.subarray(from, to),
      open: b.open.subarray(from, to),
      high: b.high.subarray(from, to),
      low: b.low.subarray(from, to),
      close: b.close.subarray(from, to),
      volume: b.volume.subarray(from, to),
    };
    const signals = r.processBatch(part);
    for (let i = 0; i < signals.length; i++) out.push(signals[i]!);
    if (performance.now() - lastBeat >= heartbeatMs) beat();
    from = to;
  }
  return out;
}

function reply(id: number, value: unknown): void {
  send({ v: PROTOCOL_VERSION, type: 'reply', id, ok: true, value });
}
function fail(id: number, e: unknown, context: string): void {
  send({ v: PROTOCOL_VERSION, type: 'reply', id, ok: false, error: toWireError(e, 'CT_ERR_STRATEGY_THREW', context) });
}

function requireRunner(type: string): StrategyRunner {
  if (runner === undefined) throw new CtError('CT_ERR_PROTOCOL', `strategy guest: ${type} received before init completed`);
  return runner;
}

async function handle(m: HostMessage): Promise<void> {
  switch (m.type) {
    case 'init': {
      if (runner !== undefined) throw new CtError('CT_ERR_PROTOCOL', `strategy guest ${instanceId}: init received twice`);
      instanceId = m.spec.instanceId;
      heartbeatMs = m.heartbeatMs;
      heartbeat = setInterval(beat, heartbeatMs);
      try {
        runner = await StrategyRunner.create(m.spec, {
          ...m.runnerOptions,
          // ctx.log records of the strategy travel to the host's logger; they carry the candle ts.
          log: (rec) => log(rec.level, rec.msg, { ...(rec.fields ?? {}), symbol: rec.symbol, candleTs: rec.ts }),
        });
      } catch (e) {
        fail(m.id, e, `strategy ${instanceId}: init`);
        return;
      }
      send({ v: PROTOCOL_VERSION, type: 'ready', id: m.id, instanceId, warmup: runner.warmup, usesFills: runner.usesFills });
      return;
    }
    case 'batch': {
      const r = requireRunner(m.type);
      try {
        reply(m.id, processInChunks(r, m.batch));
      } catch (e) {
        fail(m.id, e, `strategy ${instanceId}: processBatch`);
      }
      return;
    }
    case 'fills': {
      const r = requireRunner(m.type);
      try {
        r.notifyFills(m.fills);
        reply(m.id, null);
      } catch (e) {
        fail(m.id, e, `strategy ${instanceId}: notifyFills`);
      }
      return;
    }
    case 'finish': {
      const r = requireRunner(m.type);
      try {
        reply(m.id, r.finish());
      } catch (e) {
        fail(m.id, e, `strategy ${instanceId}: finish`);
      }
      return;
    }
    case 'ping':
      reply(m.id, 'pong');
      return;
    case 'shutdown':
      shuttingDown = true;
      if (heartbeat) clearInterval(heartbeat);
      send({ v: PROTOCOL_VERSION, type: 'shutdown_ack', id: m.id }, () => {
        if (inWorker) parentPort!.close();
        else process.exit(0);
      });
      return;
  }
}

// Requests are answered strictly in arrival order: init is async (module loading), so later
// messages queue behind it instead of racing it.
let chain: Promise<void> = Promise.resolve();
function onMessage(raw: unknown): void {
  if (shuttingDown) return;
  let m: HostMessage;
  try {
    m = parseHostMessage(raw);
  } catch (e) {
    // A malformed request still gets an answer when it carries a usable id, so the host's pending
    // request fails fast with CT_ERR_PROTOCOL instead of waiting for a timeout.
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) fail(id, e, 'strategy guest');
    else log('error', (e as Error).message, { instanceId });
    return;
  }
  chain = chain.then(() =>
    handle(m).catch((e: unknown) => {
      if ('id' in m) fail(m.id, e, `strategy ${instanceId}: ${m.type}`);
    }),
  );
}

if (inWorker) {
  parentPort!.on('message', onMessage);
} else {
  process.on('message', onMessage);
  // The host is gone (crashed or closed the channel): nobody will ever ask us anything again.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal signals the whole foreground process group, guests included. The daemon
  // owns the shutdown (finish, shutdown -> shutdown_ack over the protocol), so a guest ignores
  // SIGINT instead of dying mid-shutdown; if the daemon itself dies, 'disconnect' ends us.
  process.on('SIGINT', () => undefined);
}
