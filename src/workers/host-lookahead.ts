/**
 * The look-ahead check of src/strategies/lookahead.ts, run on strategy HOSTS instead of in-process
 * runners, for code the daemon must not run in its own process (a hot-reloaded strategy file: it
 * runs in the isolation the run was configured with). The rule is the same: a fresh instance fed a
 * truncation of the candles, in batches of a DIFFERENT size, must decide exactly the prefix of what
 * the full run decided. A decision that depended on a later candle, on batch boundaries or on state
 * kept at module level shows up as a difference.
 *
 * The full run is the warm-up the new host already did (the recent candles in one batch), so this
 * costs one fresh host per cut, all started side by side.
 */
import { CtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Signal } from '../domain/signal.ts';
import type { StrategyHost } from './strategy-host.ts';

/** A truncation: the first `fraction` of the steps, fed in batches of about `batchRows` rows (1 = one step per batch). */
export interface LookaheadCutPlan {
  readonly fraction: number;
  readonly batchRows: number;
}

/** Two cuts, one fed a step at a time and one in uneven blocks: cheap, and each cuts at a different place. */
export const RELOAD_LOOKAHEAD_CUTS: readonly LookaheadCutPlan[] = [
  { fraction: 0.45, batchRows: 1 },
  { fraction: 0.8, batchRows: 97 },
];

/** Fewest steps worth checking: below this the cuts would hold too little to say anything. */
const MIN_STEPS = 8;

export interface HostLookaheadResult {
  readonly steps: number;
  readonly cuts: number;
  readonly message: string;
}

/** Row offset of every step of `b`, plus its length at the end. */
export function stepStarts(b: CandleBatch): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (i === 0 || b.ts[i] !== b.ts[i - 1]) out.push(i);
  out.push(b.length);
  return out;
}

function rows(b: CandleBatch, from: number, to: number): CandleBatch {
  return {
    symbols: b.symbols, length: to - from, ts: b.ts.subarray(from, to), sym: b.sym.subarray(from, to), open: b.open.subarray(from, to),
    high: b.high.subarray(from, to), low: b.low.subarray(from, to), close: b.close.subarray(from, to), volume: b.volume.subarray(from, to),
  };
}

/**
 * The first difference between the full run's Signals up to `lastTs` and a truncated run's, or
 * undefined when the truncated run decided exactly that prefix. Pure; compared as JSON (ids,
 * kinds, exposures, stops, reasons and indicator snapshots).
 */
export function prefixMismatch(full: readonly Signal[], part: readonly Signal[], lastTs: number): string | undefined {
  let expected = 0;
  while (expected < full.length && full[expected]!.ts <= lastTs) expected++;
  for (let k = 0; k < Math.max(part.length, expected); k++) {
    const a = k < expected ? JSON.stringify(full[k]) : undefined;
    const b = k < part.length ? JSON.stringify(part[k]) : undefined;
    if (a !== b) return `signal #${k} differs: full run ${a ?? '(none)'} | truncated run ${b ?? '(none)'}`;
  }
  return undefined;
}

/** Feeds the first `steps` steps of `m` to a fresh host in batches of about `batchRows` rows, never splitting a step. */
async function truncatedRun(makeHost: () => StrategyHost, recent: CandleBatch, starts: readonly number[], steps: number, batchRows: number): Promise<Signal[]> {
  const host = makeHost();
  try {
    await host.start();
    const out: Signal[] = [];
    let s = 0;
    while (s < steps) {
      let e = s + 1;
      while (e < steps && starts[e + 1]! - starts[s]! <= batchRows) e++;
      for (const sig of await host.processBatch(rows(recent, starts[s]!, starts[e]!))) out.push(sig);
      s = e;
    }
    return out;
  } finally {
    await host.stop().catch(() => undefined);
  }
}

/**
 * Checks the new code of `instanceId` on `recent` against `full` (what its warmed-up host decided
 * on all of `recent` in one batch). Throws CT_ERR_STRATEGY_RELOAD naming the first difference.
 */
export async function hostLookaheadCheck(
  instanceId: string,
  makeHost: () => StrategyHost,
  recent: CandleBatch | undefined,
  full: readonly Signal[],
  plans: readonly LookaheadCutPlan[] = RELOAD_LOOKAHEAD_CUTS,
): Promise<HostLookaheadResult> {
  const starts = recent === undefined ? [0] : stepStarts(recent);
  const steps = starts.length - 1;
  if (recent === undefined || steps < MIN_STEPS) {
    return { steps, cuts: 0, message: `look-ahead check of strategy ${instanceId} skipped: ${steps} recent steps (fewer than ${MIN_STEPS})` };
  }
  const cuts = plans.map((p) => ({ ...p, steps: Math.max(1, Math.min(steps - 1, Math.floor(steps * p.fraction))) }));
  const parts = await Promise.all(cuts.map((c) => truncatedRun(makeHost, recent, starts, c.steps, c.batchRows)));
  for (let i = 0; i < cuts.length; i++) {
    const c = cuts[i]!;
    const lastTs = recent.ts[starts[c.steps]! - 1]!;
    const mismatch = prefixMismatch(full, parts[i]!, lastTs);
    if (mismatch !== undefined) {
      throw new CtError(
        'CT_ERR_STRATEGY_RELOAD',
        `look-ahead check FAILED for strategy ${instanceId}: truncated after ${c.steps} of ${steps} recent steps (last ts ${lastTs}, batches of ${c.batchRows} rows): ${mismatch}`,
        { details: { instanceId, steps, cutSteps: c.steps, lastTs } },
      );
    }
  }
  return { steps, cuts: cuts.length, message: `look-ahead check passed for strategy ${instanceId}: ${full.length} signals over ${steps} recent steps, ${cuts.length} truncations agree` };
}
