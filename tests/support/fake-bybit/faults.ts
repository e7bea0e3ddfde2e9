/**
 * Faults on demand. A test queues `server.faults.next({ kind, count })` (or an operator POSTs the
 * same spec to the admin endpoint, admin.ts); the next `count` matching events (REST requests, or
 * WS confirmed pushes) get the fault instead of (or on top of) the normal behaviour.
 * `count: Infinity` makes a fault persistent until `clear()`.
 */
export const REST_FAULT_KINDS = ['rate_limit', 'http_403', 'http_5xx', 'drop_connection'] as const;
export const WS_FAULT_KINDS = ['drop_connection', 'stall_heartbeat', 'garbage_frame', 'duplicate_candle', 'out_of_order_candle', 'skip_push', 'skip_execution'] as const;
/** Faults of `POST /v5/order/create` only (private API): a forced reject, or the reply lost after the order was placed. */
export const ORDER_FAULT_KINDS = ['reply_lost_after_accept', 'reply_delayed_after_accept', 'reject_insufficient_balance', 'reject_qty_min', 'reject_qty_step'] as const;
export type RestFaultKind = (typeof REST_FAULT_KINDS)[number];
export type OrderFaultKind = (typeof ORDER_FAULT_KINDS)[number];
export type WsFaultKind = (typeof WS_FAULT_KINDS)[number];
export type FaultKind = RestFaultKind | WsFaultKind | OrderFaultKind;

export interface FaultSpec {
  readonly kind: FaultKind;
  /** How many events get it (default 1). */
  readonly count?: number;
  /**
   * Where it applies. Defaults: rate_limit/http_403/http_5xx/drop_connection -> 'rest';
   * stall_heartbeat/garbage_frame/duplicate_candle/out_of_order_candle/skip_push/skip_execution -> 'ws';
   * the order kinds -> 'rest' (they only ever apply to /v5/order/create).
   */
  readonly where?: 'rest' | 'ws';
  /** REST only: apply only to this path (e.g. '/v5/market/kline'); default every path. */
  readonly path?: string;
}

export interface QueuedFault {
  readonly kind: FaultKind;
  readonly where: 'rest' | 'ws';
  readonly path: string | undefined;
  remaining: number;
}

const WS_ONLY: ReadonlySet<FaultKind> = new Set(WS_FAULT_KINDS.filter((k) => k !== 'drop_connection'));
const ORDER_ONLY: ReadonlySet<FaultKind> = new Set(ORDER_FAULT_KINDS);
const KNOWN: ReadonlySet<string> = new Set([...REST_FAULT_KINDS, ...WS_FAULT_KINDS, ...ORDER_FAULT_KINDS]);

export class FaultQueue {
  private readonly queue: QueuedFault[] = [];
  /** How many faults of each kind were actually applied (tests assert a fault really fired). */
  readonly applied: Record<string, number> = {};

  next(spec: FaultSpec): void {
    if (!KNOWN.has(spec.kind)) throw new Error(`fake-bybit: unknown fault ${JSON.stringify(spec.kind)}; known: ${[...KNOWN].join(', ')}`);
    if (spec.where !== undefined && spec.where !== 'rest' && spec.where !== 'ws') throw new Error(`fake-bybit: where must be rest or ws, not ${JSON.stringify(spec.where)}`);
    const count = spec.count ?? 1;
    if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) throw new Error(`fake-bybit: count must be an integer >= 1 (or Infinity), not ${String(spec.count)}`);
    const where = spec.where ?? (WS_ONLY.has(spec.kind) ? 'ws' : 'rest');
    if (where === 'rest' && WS_ONLY.has(spec.kind)) throw new Error(`fake-bybit: fault ${spec.kind} only applies to the WebSocket`);
    if (where === 'ws' && ORDER_ONLY.has(spec.kind)) throw new Error(`fake-bybit: fault ${spec.kind} only applies to /v5/order/create`);
    if (where === 'ws' && (spec.kind === 'rate_limit' || spec.kind === 'http_403' || spec.kind === 'http_5xx')) {
      throw new Error(`fake-bybit: fault ${spec.kind} only applies to REST`);
    }
    this.queue.push({ kind: spec.kind, where, path: spec.path, remaining: count });
  }

  /** The faults still queued, oldest first (the admin endpoint lists them). */
  pending(): readonly Readonly<QueuedFault>[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Consumes the first queued REST fault matching `path`, if any (order faults wait for their order). */
  takeRest(path: string): RestFaultKind | undefined {
    return this.take((f) => f.where === 'rest' && !ORDER_ONLY.has(f.kind) && (f.path === undefined || f.path === path)) as RestFaultKind | undefined;
  }

  /** Consumes the first queued order fault, if any (called for an authenticated order/create). */
  takeOrder(): OrderFaultKind | undefined {
    return this.take((f) => ORDER_ONLY.has(f.kind)) as OrderFaultKind | undefined;
  }

  /** Consumes the first queued WS fault among `kinds`, if any. */
  takeWs(kinds: readonly WsFaultKind[]): WsFaultKind | undefined {
    return this.take((f) => f.where === 'ws' && (kinds as readonly FaultKind[]).includes(f.kind)) as WsFaultKind | undefined;
  }

  private take(match: (f: QueuedFault) => boolean): FaultKind | undefined {
    const i = this.queue.findIndex(match);
    if (i < 0) return undefined;
    const f = this.queue[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.queue.splice(i, 1);
    this.applied[f.kind] = (this.applied[f.kind] ?? 0) + 1;
    return f.kind;
  }
}
