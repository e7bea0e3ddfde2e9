/** The float tolerances the adapter compares quantities with, and the grid rounding it uses (src/domain/lot-step.ts). */

export { floorToStep, roundToTick } from '../../domain/lot-step.ts';

/** What counts as "all of it" for a quantity (float sums of executions). */
export function eps(qty: number): number {
  return Math.abs(qty) * 1e-9;
}

/** 0 for the float residue of a full close, else `next`. */
export function residue(next: number, scale: number): number {
  return Math.abs(next) <= 1e-9 * Math.max(Math.abs(scale), 1e-12) ? 0 : next;
}
