import { CtError } from '../core/errors.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Signal } from '../domain/signal.ts';
import { StrategyRunner, type RunnerOptions } from './runner.ts';
import type { StrategySpec } from './strategy-spec.ts';

/**
 * Look-ahead check (freqtrade's lookahead-analysis, made automatic): run a strategy on a series,
 * then on several truncations of it, each with fresh runners and DIFFERENT batch sizes, and prove
 * that the signals of every truncated run equal the prefix of the full run's signals (ids, kinds,
 * exposures, stops, reasons and indicator snapshots, byte for byte). A decision at candle t that
 * depended on anything after t — future candles, a forming higher-timeframe bar, state carried
 * over from another run at module level, batch boundaries — shows up as a difference.
 * onFinish signals are excluded (the end of data legitimately differs).
 */

export interface LookaheadSeries {
  readonly symbol: string;
  readonly candles: CandleColumns;
}

export interface LookaheadOptions extends RunnerOptions {
  /** Steps kept by each truncated run (default: 5 cuts spread over the series). */
  readonly cuts?: readonly number[];
  /** Rows per batch of the full run (default 4096). */
  readonly fullBatchRows?: number;
  /** Rows per batch of the truncated runs, cycled (default [1, 97, 1000, 8192]). */
  readonly cutBatchRows?: readonly number[];
}

export interface LookaheadCut {
  readonly steps: number;
  readonly lastTs: number;
  readonly signals: number;
  readonly batchRows: number;
  readonly mismatch?: string;
}

export interface LookaheadReport {
  readonly ok: boolean;
  readonly strategyId: string;
  readonly instanceId: string;
  readonly steps: number;
  readonly fullSignals: number;
  readonly cuts: readonly LookaheadCut[];
  /** One line: "look-ahead check passed/FAILED for strategy <id> ...". */
  readonly message: string;
}

interface Merged {
  readonly batch: CandleBatch;
  /** Row offset of each step, plus the total row count at the end. */
  readonly stepStart: Int32Array;
  readonly stepTs: Float64Array;
}

/** Merges per-symbol columns into one time-ordered columnar batch (rows of a step in symbol order). */
function merge(spec: StrategySpec, data: readonly LookaheadSeries[]): Merged {
  const symbols = data.map((d) => d.symbol);
  for (const s of symbols) {
    if (!spec.symbols.includes(s)) throw new CtError('CT_ERR_INTERNAL', `lookaheadCheck: data symbol ${s} is not in the spec's symbols (${spec.symbols.join(', ')})`);
  }
  let total = 0;
  for (const d of data) total += d.candles.length;
  const b = {
    symbols, length: total, ts: new Float64Array(total), sym: new Int32Array(total), open: new Float64Array(total),
    high: new Float64Array(total), low: new Float64Array(total), close: new Float64Array(total), volume: new Float64Array(total),
  };
  const pos = new Int32Array(data.length);
  const starts: number[] = [];
  const tss: number[] = [];
  let row = 0;
  for (;;) {
    let ts = Infinity;
    for (let k = 0; k < data.length; k++) if (pos[k]! < data[k]!.candles.length) ts = Math.min(ts, data[k]!.candles.ts[pos[k]!]!);
    if (ts === Infinity) break;
    starts.push(row);
    tss.push(ts);
    for (let k = 0; k < data.length; k++) {
      const c = data[k]!.candles;
      const i = pos[k]!;
      if (i < c.length && c.ts[i] === ts) {
        b.ts[row] = ts; b.sym[row] = k; b.open[row] = c.open[i]!; b.high[row] = c.high[i]!;
        b.low[row] = c.low[i]!; b.close[row] = c.close[i]!; b.volume[row] = c.volume[i]!;
        row++;
        pos[k] = i + 1;
      }
    }
  }
  starts.push(row);
  return { batch: b, stepStart: Int32Array.from(starts), stepTs: Float64Array.from(tss) };
}

function rows(b: CandleBatch, from: number, to: number): CandleBatch {
  return {
    symbols: b.symbols, length: to - from, ts: b.ts.subarray(from, to), sym: b.sym.subarray(from, to),
    open: b.open.subarray(from, to), high: b.high.subarray(from, to), low: b.low.subarray(from, to),
    close: b.close.subarray(from, to), volume: b.volume.subarray(from, to),
  };
}

/** Runs the first `steps` steps in batches of about `batchRows` rows, never splitting a step. */
async function runSteps(spec: StrategySpec, m: Merged, steps: number, batchRows: number, opts: RunnerOptions): Promise<Signal[]> {
  const runner = await StrategyRunner.create(spec, opts);
  const out: Signal[] = [];
  let s = 0;
  while (s < steps) {
    let e = s + 1;
    while (e < steps && m.stepStart[e + 1]! - m.stepStart[s]! <= batchRows) e++;
    for (const sig of runner.processBatch(rows(m.batch, m.stepStart[s]!, m.stepStart[e]!))) out.push(sig);
    s = e;
  }
  return out;
}

/** Checks one strategy spec on the given candles. Never throws for a failed check: see `ok`. */
export async function lookaheadCheck(spec: StrategySpec, data: readonly LookaheadSeries[], opts: LookaheadOptions = {}): Promise<LookaheadReport> {
  const m = merge(spec, data);
  const steps = m.stepTs.length;
  const cuts = (opts.cuts ?? [0.2, 0.35, 0.5, 0.7, 0.85].map((f) => Math.floor(steps * f))).filter((c) => c > 0 && c < steps);
  const batchCycle = opts.cutBatchRows ?? [1, 97, 1000, 8192];
  const full = await runSteps(spec, m, steps, opts.fullBatchRows ?? 4096, opts);
  const fullText = full.map((s) => JSON.stringify(s));
  const results: LookaheadCut[] = [];
  let firstFailure = '';
  for (let i = 0; i < cuts.length; i++) {
    const c = cuts[i]!;
    const lastTs = m.stepTs[c - 1]!;
    const batchRows = batchCycle[i % batchCycle.length]!;
    const part = await runSteps(spec, m, c, batchRows, opts);
    let expected = 0;
    while (expected < full.length && full[expected]!.ts <= lastTs) expected++;
    let mismatch: string | undefined;
    for (let k = 0; k < Math.max(part.length, expected); k++) {
      const a = k < expected ? fullText[k] : undefined;
      const b = k < part.length ? JSON.stringify(part[k]) : undefined;
      if (a !== b) {
        mismatch = `signal #${k} differs: full run ${a ?? '(none)'} | truncated run ${b ?? '(none)'}`;
        break;
      }
    }
    results.push({ steps: c, lastTs, signals: part.length, batchRows, ...(mismatch ? { mismatch } : {}) });
    if (mismatch && firstFailure === '') firstFailure = `truncated after ${c} steps (last ts ${lastTs}, batches of ${batchRows} rows): ${mismatch}`;
  }
  const ok = firstFailure === '';
  const who = `strategy ${spec.strategyId} (instance ${spec.instanceId})`;
  const message = ok
    ? `look-ahead check passed for ${who}: ${full.length} signals over ${steps} steps, ${results.length} truncations agree`
    : `look-ahead check FAILED for ${who}: ${firstFailure}`;
  return { ok, strategyId: spec.strategyId, instanceId: spec.instanceId, steps, fullSignals: full.length, cuts: results, message };
}
