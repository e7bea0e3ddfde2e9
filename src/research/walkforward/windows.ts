/**
 * The walk-forward windows of a range: each window has a train span (where the parameters are
 * chosen) and the test span right after it (where the choice is run, out of sample).
 *
 *  rolling:  train [s, s + train), test [s + train, s + train + test), next s += step;
 *  anchored: train [from, s + train) — it always starts at the range start and grows by step.
 *
 * Only whole windows are planned: a test span that would run past the end of the range is not
 * shortened, it is left out. Test spans never overlap (step >= test), so the out-of-sample
 * pieces can be stitched into one equity curve.
 */
import { CtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';

export const DAY_MS = 86_400_000;

export type WindowKind = 'rolling' | 'anchored';

export interface WindowPlanInput {
  /** The overall range [from, to) in epoch ms (backtest.from / backtest.to). */
  readonly from: number;
  readonly to: number;
  readonly trainDays: number;
  readonly testDays: number;
  /** Days between window starts; 0 = testDays (test spans follow each other). */
  readonly stepDays: number;
  readonly windows: WindowKind;
}

export interface WalkWindow {
  /** 0-based, in time order. */
  readonly index: number;
  readonly trainFrom: number;
  /** Exclusive; = testFrom. */
  readonly trainTo: number;
  readonly testFrom: number;
  /** Exclusive. */
  readonly testTo: number;
}

const day = (ms: number): string => isoUtc(ms).slice(0, 10);

/** The windows in time order (exit 2 with one line when none fits or the options contradict each other). */
export function planWindows(p: WindowPlanInput): WalkWindow[] {
  const step = p.stepDays === 0 ? p.testDays : p.stepDays;
  if (step < p.testDays) {
    throw new CtError('CT_ERR_USAGE', `--step-days ${p.stepDays}: shorter than --test-days ${p.testDays}, the test windows would overlap and their out-of-sample equity could not be stitched (use --step-days 0 or >= ${p.testDays})`, { details: { value: p.stepDays } });
  }
  const rangeDays = (p.to - p.from) / DAY_MS;
  if (p.trainDays + p.testDays > rangeDays) {
    throw new CtError('CT_ERR_USAGE', `--train-days ${p.trainDays} + --test-days ${p.testDays} = ${p.trainDays + p.testDays} days: longer than the range ${day(p.from)} -> ${day(p.to)} (${Math.floor(rangeDays * 100) / 100} days); no window fits`, { details: { value: p.trainDays + p.testDays } });
  }
  const out: WalkWindow[] = [];
  for (let k = 0; ; k++) {
    const start = p.from + k * step * DAY_MS;
    const trainTo = start + p.trainDays * DAY_MS;
    const testTo = trainTo + p.testDays * DAY_MS;
    if (testTo > p.to) break;
    out.push({ index: k, trainFrom: p.windows === 'anchored' ? p.from : start, trainTo, testFrom: trainTo, testTo });
  }
  return out;
}
