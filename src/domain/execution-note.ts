/**
 * Something an execution adapter did to an order other than filling it as asked. Every note is
 * recorded (`execution_notes`); some also end the order without a fill, and then the risk gate
 * must free what it reserved for it — `releasesReservation` is the one place that says which.
 */
export type ExecutionNoteKind =
  /** A reduce-only order larger than the position: filled for the position's size only. */
  | 'clamped_reduce_only'
  /** A spot sell larger than the holding (spot cannot go short): filled for the holding only. */
  | 'clamped_spot_long_only'
  /** A reduce-only (or spot) sell with nothing to reduce: not filled at all. */
  | 'dropped_nothing_to_reduce'
  /** A pending order cancelled before it filled (explicitly, or at the end of a run). */
  | 'cancelled'
  /** The exchange refused the order (insufficient balance, below the minimum, ...): nothing was placed. */
  | 'rejected';

export interface ExecutionNote {
  readonly ts: number;
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly kind: ExecutionNoteKind;
  readonly requestedQty: number;
  readonly filledQty: number;
  readonly message: string;
}

/**
 * True when the note ends its order without a fill, so the order's risk reservation must be
 * released. A clamped order still fills (smaller), and its fill releases the reservation.
 * Exhaustive on purpose: a new kind does not compile until it is decided here.
 */
export function releasesReservation(note: Pick<ExecutionNote, 'kind'>): boolean {
  switch (note.kind) {
    case 'dropped_nothing_to_reduce':
    case 'cancelled':
    case 'rejected':
      return true;
    case 'clamped_reduce_only':
    case 'clamped_spot_long_only':
      return false;
  }
}
