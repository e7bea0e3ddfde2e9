/** Quantities and prices on an instrument's grid, and the float tolerances the adapter compares with. */

/** Rounds down to a multiple of `step`, as a number with the step's decimals (no 0.30000000000000004). */
export function floorToStep(qty: number, step: number): number {
  if (!(step > 0)) return qty;
  const n = Math.floor(qty / step + 1e-9);
  return Number((n * step).toFixed(decimalsOf(step)));
}

/** Rounds to the nearest multiple of `tick`. */
export function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  return Number((Math.round(price / tick) * tick).toFixed(decimalsOf(tick)));
}

/** What counts as "all of it" for a quantity (float sums of executions). */
export function eps(qty: number): number {
  return Math.abs(qty) * 1e-9;
}

/** 0 for the float residue of a full close, else `next`. */
export function residue(next: number, scale: number): number {
  return Math.abs(next) <= 1e-9 * Math.max(Math.abs(scale), 1e-12) ? 0 : next;
}

function decimalsOf(step: number): number {
  const s = String(step);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}
