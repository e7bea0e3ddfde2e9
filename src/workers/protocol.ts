/**
 * The typed, versioned protocol between a strategy host (the daemon side) and a strategy guest
 * (a child process or worker thread running one StrategyRunner). See docs/protocol.md.
 *
 * Every message is a plain, structured-cloneable object with a literal `type` and the protocol
 * version `v`. Candle batches travel as typed arrays (CandleBatch), so one message carries
 * thousands of candles and the per-candle cost of crossing the boundary is a memcpy.
 *
 * Validation is hand-written on purpose: it runs once per message (not per candle), checks only
 * the shape (O(1) for a batch: column types and lengths), and never coerces. A message that fails
 * it is a protocol breach: CtError CT_ERR_PROTOCOL naming the message type and the bad field.
 */
import { CtError, ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal, SignalKind } from '../domain/signal.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import type { RunnerCreateOptions } from './strategy-host.ts';

/** Bumped on any incompatible change to a message below. Host and guest must speak the same one. */
export const PROTOCOL_VERSION = 2;

/** An error as it crosses the boundary: a registry code and a one-line message. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

// --- host -> guest ------------------------------------------------------------------------------

export interface InitMessage {
  readonly v: number;
  readonly type: 'init';
  readonly id: number;
  readonly spec: StrategySpec;
  /** Plain-data options for StrategyRunner.create (the guest adds the log sink). */
  readonly runnerOptions: RunnerCreateOptions;
  /** How often the guest sends `heartbeat`. */
  readonly heartbeatMs: number;
}
export interface BatchMessage { readonly v: number; readonly type: 'batch'; readonly id: number; readonly batch: CandleBatch }
export interface FillsMessage { readonly v: number; readonly type: 'fills'; readonly id: number; readonly fills: readonly Fill[] }
export interface FinishMessage { readonly v: number; readonly type: 'finish'; readonly id: number }
export interface PingMessage { readonly v: number; readonly type: 'ping'; readonly id: number }
export interface ShutdownMessage { readonly v: number; readonly type: 'shutdown'; readonly id: number }

export type HostMessage = InitMessage | BatchMessage | FillsMessage | FinishMessage | PingMessage | ShutdownMessage;
/** Host messages that expect a `reply` (init expects `ready` or an error reply; shutdown expects `shutdown_ack`). */
export type RequestType = 'batch' | 'fills' | 'finish' | 'ping';

// --- guest -> host ------------------------------------------------------------------------------

export interface ReadyMessage {
  readonly v: number;
  readonly type: 'ready';
  /** Correlation id of the `init` this answers. */
  readonly id: number;
  readonly instanceId: string;
  readonly warmup: number;
  readonly usesFills: boolean;
}
export type ReplyMessage =
  | { readonly v: number; readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly v: number; readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError };
export interface HeartbeatMessage { readonly v: number; readonly type: 'heartbeat'; readonly ts: number }
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export interface LogMessage {
  readonly v: number;
  readonly type: 'log';
  readonly level: LogLevel;
  readonly msg: string;
  readonly obj?: Readonly<Record<string, unknown>>;
}
export interface ShutdownAckMessage { readonly v: number; readonly type: 'shutdown_ack'; readonly id: number }

export type GuestMessage = ReadyMessage | ReplyMessage | HeartbeatMessage | LogMessage | ShutdownAckMessage;

// --- validation ---------------------------------------------------------------------------------

const LOG_LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const SIGNAL_KINDS: ReadonlySet<string> = new Set<SignalKind>(['enter_long', 'enter_short', 'exit', 'target']);

function breach(side: string, type: unknown, field: string, value: unknown): CtError {
  const shown = typeof value === 'string' ? `"${value.slice(0, 60)}"` : typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
  return new CtError('CT_ERR_PROTOCOL', `${side} message ${String(type)}: field ${field} is invalid (${shown})`, {
    details: { side, type: String(type), field },
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
const isId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkEnvelope(side: string, m: unknown): Record<string, unknown> {
  if (!isRecord(m)) throw breach(side, typeof m, 'message', m);
  if (typeof m.type !== 'string') throw breach(side, '?', 'type', m.type);
  if (m.v !== PROTOCOL_VERSION) {
    throw new CtError('CT_ERR_PROTOCOL', `${side} message ${m.type}: protocol version ${String(m.v)} is not the version ${PROTOCOL_VERSION} this side speaks`, {
      details: { side, type: m.type, field: 'v', value: m.v, expected: PROTOCOL_VERSION },
    });
  }
  return m;
}

function checkBatch(side: string, b: unknown): void {
  if (!isRecord(b)) throw breach(side, 'batch', 'batch', b);
  const n = b.length;
  if (!isId(n)) throw breach(side, 'batch', 'batch.length', n);
  if (!Array.isArray(b.symbols) || !b.symbols.every((s) => typeof s === 'string')) throw breach(side, 'batch', 'batch.symbols', b.symbols);
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    const col = b[k];
    if (!(col instanceof Float64Array) || col.length !== n) throw breach(side, 'batch', `batch.${k}`, col);
  }
  if (!(b.sym instanceof Int32Array) || b.sym.length !== n) throw breach(side, 'batch', 'batch.sym', b.sym);
}

/** Validates a message the guest received. Throws CT_ERR_PROTOCOL. */
export function parseHostMessage(m: unknown): HostMessage {
  const side = 'host->guest';
  const r = checkEnvelope(side, m);
  const t = r.type;
  switch (t) {
    case 'init':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      if (!isRecord(r.spec) || typeof r.spec.instanceId !== 'string') throw breach(side, t, 'spec', r.spec);
      if (!isRecord(r.runnerOptions)) throw breach(side, t, 'runnerOptions', r.runnerOptions);
      if (!isNum(r.heartbeatMs) || r.heartbeatMs <= 0) throw breach(side, t, 'heartbeatMs', r.heartbeatMs);
      return r as unknown as InitMessage;
    case 'batch':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      checkBatch(side, r.batch);
      return r as unknown as BatchMessage;
    case 'fills':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      if (!Array.isArray(r.fills) || !r.fills.every(isRecord)) throw breach(side, t, 'fills', r.fills);
      return r as unknown as FillsMessage;
    case 'finish':
    case 'ping':
    case 'shutdown':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      return r as unknown as HostMessage;
    default:
      throw new CtError('CT_ERR_PROTOCOL', `${side} message: unknown type "${String(t).slice(0, 40)}"`, { details: { side, type: t } });
  }
}

/** Validates a message the host received. Throws CT_ERR_PROTOCOL. */
export function parseGuestMessage(m: unknown): GuestMessage {
  const side = 'guest->host';
  const r = checkEnvelope(side, m);
  const t = r.type;
  switch (t) {
    case 'ready':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      if (typeof r.instanceId !== 'string') throw breach(side, t, 'instanceId', r.instanceId);
      if (!isId(r.warmup)) throw breach(side, t, 'warmup', r.warmup);
      if (typeof r.usesFills !== 'boolean') throw breach(side, t, 'usesFills', r.usesFills);
      return r as unknown as ReadyMessage;
    case 'reply':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      if (r.ok === false) {
        const e = r.error;
        if (!isRecord(e) || typeof e.code !== 'string' || !(e.code in ERROR_CODES) || typeof e.message !== 'string') throw breach(side, t, 'error', e);
      } else if (r.ok !== true) {
        throw breach(side, t, 'ok', r.ok);
      }
      return r as unknown as ReplyMessage;
    case 'heartbeat':
      if (!isNum(r.ts)) throw breach(side, t, 'ts', r.ts);
      return r as unknown as HeartbeatMessage;
    case 'log':
      if (typeof r.level !== 'string' || !LOG_LEVELS.has(r.level)) throw breach(side, t, 'level', r.level);
      if (typeof r.msg !== 'string') throw breach(side, t, 'msg', r.msg);
      if (r.obj !== undefined && !isRecord(r.obj)) throw breach(side, t, 'obj', r.obj);
      return r as unknown as LogMessage;
    case 'shutdown_ack':
      if (!isId(r.id)) throw breach(side, t, 'id', r.id);
      return r as unknown as ShutdownAckMessage;
    default:
      throw new CtError('CT_ERR_PROTOCOL', `${side} message: unknown type "${String(t).slice(0, 40)}"`, { details: { side, type: t } });
  }
}

/**
 * Checks the value of a `batch`/`finish` reply is a list of Signals and re-freezes them (structured
 * clone drops Object.freeze). Returns the same array, frozen.
 */
export function parseSignals(value: unknown, instanceId: string): Signal[] {
  const side = `guest ${instanceId} reply`;
  if (!Array.isArray(value)) throw breach(side, 'signals', 'value', value);
  for (let i = 0; i < value.length; i++) {
    const s: unknown = value[i];
    const f = `value[${i}]`;
    if (!isRecord(s)) throw breach(side, 'signals', f, s);
    if (typeof s.id !== 'string') throw breach(side, 'signals', `${f}.id`, s.id);
    if (typeof s.strategyId !== 'string') throw breach(side, 'signals', `${f}.strategyId`, s.strategyId);
    if (typeof s.symbol !== 'string') throw breach(side, 'signals', `${f}.symbol`, s.symbol);
    if (!isNum(s.ts)) throw breach(side, 'signals', `${f}.ts`, s.ts);
    if (typeof s.kind !== 'string' || !SIGNAL_KINDS.has(s.kind)) throw breach(side, 'signals', `${f}.kind`, s.kind);
    if (!isNum(s.targetExposure)) throw breach(side, 'signals', `${f}.targetExposure`, s.targetExposure);
    if (!isNum(s.confidence)) throw breach(side, 'signals', `${f}.confidence`, s.confidence);
    if (typeof s.reason !== 'string') throw breach(side, 'signals', `${f}.reason`, s.reason);
    if (!isRecord(s.indicators)) throw breach(side, 'signals', `${f}.indicators`, s.indicators);
    Object.freeze(s.indicators);
    Object.freeze(s);
  }
  return value as Signal[];
}

/** Turns anything thrown into a WireError. Non-CtErrors become `fallback` with the original message. */
export function toWireError(e: unknown, fallback: ErrorCode, context: string): WireError {
  if (e instanceof CtError) {
    // details must stay structured-cloneable: keep only primitives.
    const details: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.details)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) details[k] = v;
    return { code: e.code, message: e.message, details };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { code: fallback, message: `${context}: ${msg}` };
}

/** Rebuilds a CtError on the host from a WireError. */
export function fromWireError(w: WireError, instanceId: string): CtError {
  return new CtError(w.code, w.message, { details: { ...(w.details ?? {}), instanceId } });
}
