import type { StateDb } from './state-db.ts';

/**
 * A range of candles the live feed could not deliver to a run: the exchange has no candles
 * there, or the run ended while the hole was still being backfilled. These rows are how a
 * forward/live run explains afterwards why a step was traded without a symbol, or not at all.
 */
export interface FeedGapRecord {
  readonly symbol: string;
  /** First and last missing candle open time (ms, inclusive). */
  readonly fromTs: number;
  readonly toTs: number;
  readonly candles: number;
  readonly attempts: number;
  readonly message: string;
}

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

  record(g: FeedGapRecord): void {
    this.insert.run(this.runId, this.seq++, g.symbol, g.fromTs, g.toTs, g.candles, g.attempts, g.message, new Date().toISOString());
  }
}
