/** Shared bits of the private-API and private-stream tests. */
import type { CandleColumns } from '../../../src/domain/candle.ts';

export const H = 3_600_000;

/** `n` hourly candles from `t0`, all at `price`. */
export function flatCandles(n: number, t0: number, price: number): CandleColumns {
  const f = (): Float64Array => new Float64Array(n).fill(price);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => t0 + i * H), open: f(), high: f(), low: f(), close: f(), volume: new Float64Array(n).fill(1) };
}

/** Polls `cond` every 10 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything an error thrown by `p` shows: code, message, details and stack ('' when it resolves). */
export async function caught(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return '';
  } catch (e) {
    return `${String((e as { code?: string }).code)} ${(e as Error).message} ${JSON.stringify((e as { details?: unknown }).details ?? {})} ${String((e as Error).stack)}`;
  }
}
