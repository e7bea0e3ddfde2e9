/**
 * One difference between the daemon's book and the exchange account, found by reconciliation
 * (at every exchange-backed start and resume, then every live.reconcile_interval_s), and what was
 * done about it. Each is an event row (`reconciliation_events`) and a line of the readable diff.
 */
export type ReconciliationPhase = 'start' | 'periodic';

export type ReconciliationKind =
  /** The exchange executed an order of ours that the book had not booked (the daemon was down, the stream lost it). */
  | 'missed_execution'
  /** The exchange holds less of a symbol than the book (closed by hand, liquidated): the book adopts it. */
  | 'position_short'
  /** The exchange holds more of a symbol than the book, or the other side: the rest is not ours. */
  | 'foreign_position'
  /** The exchange's cash differs from the book's. */
  | 'cash'
  /** An order of ours the book expects open is not open on the exchange. */
  | 'order_missing'
  /** An order of ours (by its orderLinkId) that the book no longer wants is open on the exchange. */
  | 'order_stale'
  /** An open order the daemon did not place. */
  | 'foreign_order'
  /** An execution of an order the daemon did not place. */
  | 'foreign_execution';

export type ReconciliationAction = 'booked' | 'adopted' | 'ignored' | 'cancelled' | 'replaced' | 'stopped' | 'reported';

export interface ReconciliationItem {
  readonly phase: ReconciliationPhase;
  readonly kind: ReconciliationKind;
  readonly symbol: string;
  /** What the book holds (position qty, cash), when the item compares a quantity. */
  readonly book: number | undefined;
  readonly exchange: number | undefined;
  readonly action: ReconciliationAction;
  readonly message: string;
}
