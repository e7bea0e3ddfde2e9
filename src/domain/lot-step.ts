/**
 * Quantities and prices on an instrument's grid (its lot step and tick), free of binary float
 * residue: one implementation for the risk gate's sizing, the Bybit adapter's orders and the
 * decimal strings sent to the exchange.
 */

/** Rounds a quantity DOWN to the step (0 = no step), free of binary float residue. */
export function floorToStep(qty: number, step: number): number {
  if (!(step > 0)) return qty;
  const n = Math.floor(qty / step + 1e-9);
  return Number((n * step).toFixed(decimalsOf(step)));
}

/** Rounds a price to the nearest multiple of the tick (0 = no tick). */
export function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  return Number((Math.round(price / tick) * tick).toFixed(decimalsOf(tick)));
}

/** The number of decimals a step has (0.001 -> 3, 1.5e-7 -> 8). */
export function decimalsOf(step: number): number {
  const s = step.toString();
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2)) + (s.indexOf('.') >= 0 ? e - s.indexOf('.') - 1 : 0);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}
