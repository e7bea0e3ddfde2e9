/**
 * Bybit v5 public WebSocket frames, parsed at the boundary into a closed set of variants
 * (wire frames are kept apart from the candles the feed emits, so a change of the exchange's
 * format stays in this file). Anything malformed becomes `invalid` with a reason; anything well-formed but not
 * ours becomes `unknown`. Parsing never throws.
 */
export interface KlineBar {
  readonly start: number;
  readonly end: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly confirm: boolean;
}

export type WsFrame =
  | { readonly kind: 'pong' }
  | { readonly kind: 'ack'; readonly op: string; readonly success: boolean; readonly retMsg: string; readonly reqId: string }
  | { readonly kind: 'kline'; readonly interval: string; readonly marketId: string; readonly bars: readonly KlineBar[] }
  | { readonly kind: 'unknown'; readonly text: string }
  | { readonly kind: 'invalid'; readonly reason: string; readonly text: string };

const KLINE_TOPIC = /^kline\.([0-9A-Z]+)\.([A-Z0-9]+)$/;

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Price/size fields arrive as decimal strings; times as numbers. No coercion beyond that. */
function decimal(v: unknown): number {
  return typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) ? Number(v) : Number.NaN;
}

function parseBar(d: unknown, i: number): KlineBar | string {
  if (d === null || typeof d !== 'object') return `data[${i}] is not an object`;
  const o = d as Record<string, unknown>;
  if (typeof o['start'] !== 'number' || !Number.isInteger(o['start'])) return `data[${i}].start is not an integer ms (${JSON.stringify(o['start'])})`;
  if (typeof o['end'] !== 'number' || !Number.isInteger(o['end'])) return `data[${i}].end is not an integer ms (${JSON.stringify(o['end'])})`;
  if (typeof o['confirm'] !== 'boolean') return `data[${i}].confirm is not a boolean (${JSON.stringify(o['confirm'])})`;
  const bar = {
    start: o['start'], end: o['end'],
    open: decimal(o['open']), high: decimal(o['high']), low: decimal(o['low']), close: decimal(o['close']), volume: decimal(o['volume']),
    confirm: o['confirm'],
  };
  for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (!Number.isFinite(bar[f])) return `data[${i}].${f} is not a decimal string (${JSON.stringify(o[f])})`;
  }
  return bar;
}

export function parseWsFrame(text: string): WsFrame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON', text: clip(text) };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { kind: 'invalid', reason: 'not a JSON object', text: clip(text) };
  const o = msg as Record<string, unknown>;
  if (o['ret_msg'] === 'pong' || o['op'] === 'pong') return { kind: 'pong' };
  if (typeof o['success'] === 'boolean' && typeof o['op'] === 'string') {
    return { kind: 'ack', op: o['op'], success: o['success'], retMsg: String(o['ret_msg'] ?? ''), reqId: String(o['req_id'] ?? '') };
  }
  if (typeof o['topic'] === 'string' && o['topic'].startsWith('kline.')) {
    const m = KLINE_TOPIC.exec(o['topic']);
    if (m === null) return { kind: 'invalid', reason: `bad kline topic ${JSON.stringify(o['topic'])}`, text: clip(text) };
    if (!Array.isArray(o['data'])) return { kind: 'invalid', reason: 'kline frame without a data array', text: clip(text) };
    const bars: KlineBar[] = [];
    for (let i = 0; i < o['data'].length; i++) {
      const b = parseBar(o['data'][i], i);
      if (typeof b === 'string') return { kind: 'invalid', reason: b, text: clip(text) };
      bars.push(b);
    }
    return { kind: 'kline', interval: m[1]!, marketId: m[2]!, bars };
  }
  return { kind: 'unknown', text: clip(text) };
}
