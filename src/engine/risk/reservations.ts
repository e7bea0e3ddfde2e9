/**
 * Capacity the risk gate has promised but the account has not booked yet: every approved order,
 * from its approval (step t) until its fill (t+1) or cancellation. Checks see positions AND these
 * reservations, which is what makes check-and-reserve atomic across strategies inside one step.
 */
export interface Reservation {
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed quantity the order moves the position by (+ buy, - sell). */
  readonly signedQty: number;
  /** Reduce-only: never takes the position across zero (execution clamps or drops it). */
  readonly reduceOnly: boolean;
  /** Spot cash set aside for a buy (qty x price x (1 + headroom)); 0 otherwise. */
  readonly cash: number;
}

import { StateReader } from '../../core/state-json.ts';

export class ReservationBook {
  private readonly byId = new Map<string, Reservation>();

  add(r: Reservation): void {
    this.byId.set(r.orderId, r);
  }

  /** Drops a reservation; false if the id was never reserved (e.g. a stop-loss fill). */
  release(orderId: string): boolean {
    return this.byId.delete(orderId);
  }

  /**
   * Where the pending orders of one (strategy, symbol) take its booked position `now`, applied in
   * submission order the way execution fills them: `proj` the final signed position, `peak` the
   * largest |position| on the way, `moved` the sum of |quantities| (scale for float residue).
   * A reduce-only order is clamped at zero, so a position closed meanwhile (a stop) leaves no
   * phantom opposite position.
   */
  project(strategyId: string, symbol: string, now: number): { proj: number; peak: number; moved: number } {
    let proj = now;
    let peak = Math.abs(now);
    let moved = 0;
    for (const r of this.byId.values()) {
      if (r.strategyId !== strategyId || r.symbol !== symbol) continue;
      moved += Math.abs(r.signedQty);
      if (r.reduceOnly) {
        if (proj === 0 || Math.sign(r.signedQty) === Math.sign(proj)) continue;
        proj = Math.abs(r.signedQty) >= Math.abs(proj) ? 0 : proj + r.signedQty;
      } else {
        proj += r.signedQty;
      }
      if (Math.abs(proj) > peak) peak = Math.abs(proj);
    }
    return { proj, peak, moved };
  }

  reservedCash(): number {
    let c = 0;
    for (const r of this.byId.values()) c += r.cash;
    return c;
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<Reservation> {
    return this.byId.values();
  }

  /** The reservations in the order they were made (projections apply them in that order), as plain data. */
  state(): Reservation[] {
    return [...this.byId.values()].map((r) => ({ ...r }));
  }

  /** Continues from saved reservations (every field checked). Call on an empty book. */
  setState(list: readonly StateReader[]): void {
    const rs = list.map((x): Reservation => ({
      orderId: x.str('orderId'), strategyId: x.str('strategyId'), symbol: x.str('symbol'), signedQty: x.finite('signedQty'), reduceOnly: x.bool('reduceOnly'), cash: x.finite('cash'),
    }));
    this.byId.clear();
    for (const r of rs) this.byId.set(r.orderId, r);
  }
}
