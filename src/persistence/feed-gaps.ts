import type { FeedGap } from '../domain/feed-gap.ts';
import type { StateDb } from './state-db.ts';

/** Appends a run's feed gaps to `feed_gaps`, numbered 0, 1, 2 ... in arrival order. */
export class FeedGapWriter {
  private seq = 0;
  private readonly insert;

  constructor(
    db: StateDb,
    private readonly runId: string,
  ) {
    const row = db.prepare('SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM feed_gaps WHERE run_id = ?').get(runId) as { next: number };
    // A resumed run continues its own numbering.
    this.seq = row.next;
    this.insert = db.prepare(`INSERT INTO feed_gaps (run_id, seq, symbol, from_ts, to_ts, candles, attempts, message, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  record(g: FeedGap): void {
    this.insert.run(this.runId, this.seq++, g.symbol, g.fromTs, g.toTs, g.candles, g.attempts, g.message, new Date().toISOString());
  }
}
