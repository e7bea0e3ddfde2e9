import type { StateDb } from './state-db.ts';

/**
 * One change in the life of a supervised strategy instance: it failed (with the error's code),
 * went down, restarted, came back up, gave up or stopped, or its file was hot-reloaded (or refused
 * to reload: docs/hot-reload.md). These rows are how a forward/live run
 * explains afterwards why a strategy was silent for a while.
 */
export interface StrategyEvent {
  readonly instanceId: string;
  /** The supervisor state it entered (up, down, restarting, failed, stopped), or a hot reload's `reloaded` / `reload_failed`. */
  readonly kind: string;
  /** Error code of the failure that caused it (CT_ERR_STRATEGY_DIED, ...); null for a plain state change. */
  readonly code: string | null;
  readonly message: string;
}

/** Appends a run's strategy events to `strategy_events`, numbered 0, 1, 2 ... in arrival order. */
export class StrategyEventWriter {
  private seq = 0;
  private readonly insert;

  constructor(
    db: StateDb,
    private readonly runId: string,
  ) {
    this.insert = db.prepare(`INSERT INTO strategy_events (run_id, seq, instance_id, kind, code, message) VALUES (?, ?, ?, ?, ?, ?)`);
  }

  record(e: StrategyEvent): void {
    this.insert.run(this.runId, this.seq++, e.instanceId, e.kind, e.code, e.message);
  }
}
