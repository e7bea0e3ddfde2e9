import type { ReconciliationItem } from '../domain/reconciliation.ts';
import type { StateDb } from './state-db.ts';

/** Appends a run's reconciliation findings to `reconciliation_events`, numbered in order (a resumed run continues its numbering). */
export class ReconciliationEventWriter {
  private seq: number;
  private readonly insert;

  constructor(
    private readonly db: StateDb,
    private readonly runId: string,
  ) {
    const row = db.prepare('SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM reconciliation_events WHERE run_id = ?').get(runId) as { next: number };
    this.seq = row.next;
    this.insert = db.prepare('INSERT INTO reconciliation_events (run_id, seq, recorded_at, phase, kind, symbol, book, exchange, action, message) VALUES (?,?,?,?,?,?,?,?,?,?)');
  }

  record(items: readonly ReconciliationItem[]): void {
    if (items.length === 0) return;
    const at = new Date().toISOString();
    this.db.transaction(() => {
      for (const i of items) this.insert.run(this.runId, this.seq++, at, i.phase, i.kind, i.symbol, i.book ?? null, i.exchange ?? null, i.action, i.message);
    })();
  }
}

/** Every reconciliation event of a run, in order (the runs view and tests). */
export function reconciliationEvents(db: StateDb, runId: string): Array<ReconciliationItem & { seq: number }> {
  return (db.prepare('SELECT seq, phase, kind, symbol, book, exchange, action, message FROM reconciliation_events WHERE run_id = ? ORDER BY seq').all(runId) as Array<Record<string, unknown>>).map((r) => ({
    seq: r.seq as number, phase: r.phase as ReconciliationItem['phase'], kind: r.kind as ReconciliationItem['kind'], symbol: r.symbol as string,
    book: (r.book as number | null) ?? undefined, exchange: (r.exchange as number | null) ?? undefined, action: r.action as ReconciliationItem['action'], message: r.message as string,
  }));
}
