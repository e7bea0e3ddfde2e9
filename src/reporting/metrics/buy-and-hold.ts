/**
 * The buy-and-hold benchmark: the initial cash split equally over the run's symbols, each share
 * bought at that symbol's FIRST close and held to its LAST close, no costs. Its value curve is
 * what the strategy has to beat.
 *
 * Alignment: with `ts` per symbol the curve is built on the union of all candle times (a symbol
 * whose history starts later holds its share as cash until its first close; a gap carries the last
 * close forward). Without `ts` the closes are aligned by index, which is only sound when every
 * symbol has the same number of closes; otherwise only the returns (first to last close) are
 * reported and the curve metrics are null.
 */
import { CtError } from '../../core/errors.ts';

export interface BenchmarkSeries {
  readonly closes: ReadonlyMap<string, ArrayLike<number>>;
  readonly ts?: ReadonlyMap<string, ArrayLike<number>>;
}

export interface BuyAndHoldCurve {
  readonly symbols: string[];
  /** Per symbol last / first - 1; null when a symbol has no usable close. */
  readonly perSymbol: Record<string, number | null>;
  /** Mean of the per-symbol ratios - 1 (equal weight, no rebalancing). Null if any symbol is unusable. */
  readonly totalReturn: number | null;
  /** Portfolio value per union time, normalised to start at 1; null when it cannot be aligned. */
  readonly curve: { values: Float64Array; ts: Float64Array | null } | null;
  readonly reason?: string;
}

export function buyAndHold(b: BenchmarkSeries): BuyAndHoldCurve {
  const symbols = [...b.closes.keys()].sort();
  const perSymbol: Record<string, number | null> = {};
  let unusable: string | undefined;
  for (const s of symbols) {
    const c = b.closes.get(s)!;
    const t = b.ts?.get(s);
    if (t && t.length !== c.length) {
      throw new CtError('CT_ERR_INTERNAL', `buy-and-hold: ${s} has ${c.length} closes but ${t.length} times`, { details: { symbol: s } });
    }
    const first = c.length > 0 ? c[0]! : NaN;
    const last = c.length > 0 ? c[c.length - 1]! : NaN;
    if (!(first > 0) || !Number.isFinite(last)) {
      perSymbol[s] = null;
      unusable ??= `${s} has no positive first close (first=${first}, closes=${c.length})`;
    } else {
      perSymbol[s] = last / first - 1;
    }
  }
  if (symbols.length === 0) return { symbols, perSymbol, totalReturn: null, curve: null, reason: 'no symbol closes were given' };
  if (unusable) return { symbols, perSymbol, totalReturn: null, curve: null, reason: unusable };
  let sum = 0;
  for (const s of symbols) sum += 1 + perSymbol[s]!;
  const totalReturn = sum / symbols.length - 1;

  if (b.ts && !sameTimes(symbols, b.ts)) return { symbols, perSymbol, totalReturn, curve: unionCurve(symbols, b.closes, b.ts) };
  const len = b.closes.get(symbols[0]!)!.length;
  if (symbols.some((s) => b.closes.get(s)!.length !== len)) {
    return { symbols, perSymbol, totalReturn, curve: null, reason: 'symbols have different numbers of closes and no candle times were given to align them' };
  }
  const values = new Float64Array(len);
  const w = 1 / symbols.length;
  for (const s of symbols) {
    const c = b.closes.get(s)!;
    const k = w / c[0]!;
    for (let i = 0; i < len; i++) values[i] += k * c[i]!;
  }
  return { symbols, perSymbol, totalReturn, curve: { values, ts: b.ts ? Float64Array.from(b.ts.get(symbols[0]!)!) : null } };
}

/** True when every symbol has the same candle times: the by-index sum is then exact and ~10x faster. */
function sameTimes(symbols: string[], tsOf: ReadonlyMap<string, ArrayLike<number>>): boolean {
  const t0 = tsOf.get(symbols[0]!)!;
  for (const s of symbols) {
    const t = tsOf.get(s)!;
    if (t.length !== t0.length) return false;
    if (t === t0) continue;
    for (let i = 0; i < t.length; i++) if (t[i] !== t0[i]) return false;
  }
  return true;
}

/** Equal-weight portfolio value on the union of candle times, merged with one cursor per symbol. */
function unionCurve(symbols: string[], closes: ReadonlyMap<string, ArrayLike<number>>, tsOf: ReadonlyMap<string, ArrayLike<number>>): { values: Float64Array; ts: Float64Array } {
  const m = symbols.length;
  const c = symbols.map((s) => closes.get(s)!);
  const t = symbols.map((s) => tsOf.get(s)!);
  const cursor = new Int32Array(m);
  const held = new Float64Array(m).fill(1 / m); // value of each share, starts as cash
  let cap = 0;
  for (const x of c) cap = Math.max(cap, x.length);
  let values: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let times: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let n = 0;
  for (;;) {
    let next = Infinity;
    for (let j = 0; j < m; j++) if (cursor[j]! < t[j]!.length && t[j]![cursor[j]!]! < next) next = t[j]![cursor[j]!]!;
    if (next === Infinity) break;
    let v = 0;
    for (let j = 0; j < m; j++) {
      if (cursor[j]! < t[j]!.length && t[j]![cursor[j]!] === next) {
        held[j] = c[j]![cursor[j]!]! / c[j]![0]! / m;
        cursor[j]++;
      }
      v += held[j]!;
    }
    if (n === values.length) {
      values = grow(values);
      times = grow(times);
    }
    values[n] = v;
    times[n] = next;
    n++;
  }
  return { values: values.subarray(0, n), ts: times.subarray(0, n) };
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2 + 16);
  b.set(a);
  return b;
}
