/**
 * Numbered schema migrations, applied in order and tracked with `PRAGMA user_version`.
 * Never edit a released migration: add a new one. Every table is keyed by run so that
 * backtests, dry-runs and forward runs share one database without mixing.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs',
    sql: `
      CREATE TABLE runs (
        id              TEXT PRIMARY KEY,
        mode            TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        ended_at        TEXT,
        status          TEXT NOT NULL CHECK (status IN ('running','completed','failed','interrupted')),
        config_snapshot TEXT NOT NULL,
        git_commit      TEXT,
        error           TEXT
      );`,
  },
  {
    version: 2,
    name: 'accounting',
    sql: `
      CREATE TABLE signals (
        run_id TEXT NOT NULL REFERENCES runs(id), id TEXT NOT NULL, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL,
        ts INTEGER NOT NULL, kind TEXT NOT NULL, target_exposure REAL NOT NULL, stop REAL, take_profit REAL,
        confidence REAL NOT NULL, reason TEXT NOT NULL, indicators TEXT NOT NULL,
        PRIMARY KEY (run_id, id));
      CREATE TABLE risk_decisions (
        run_id TEXT NOT NULL REFERENCES runs(id), signal_id TEXT NOT NULL, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL,
        ts INTEGER NOT NULL, approved INTEGER NOT NULL, reason_code TEXT, reason TEXT, resized INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, signal_id));
      CREATE TABLE orders (
        run_id TEXT NOT NULL REFERENCES runs(id), id TEXT NOT NULL, signal_id TEXT NOT NULL, strategy_id TEXT NOT NULL,
        symbol TEXT NOT NULL, side TEXT NOT NULL, qty REAL NOT NULL, type TEXT NOT NULL, decided_ts INTEGER NOT NULL,
        stop REAL, take_profit REAL, reduce_only INTEGER NOT NULL,
        PRIMARY KEY (run_id, id));
      CREATE TABLE fills (
        run_id TEXT NOT NULL REFERENCES runs(id), id TEXT NOT NULL, order_id TEXT NOT NULL, strategy_id TEXT NOT NULL,
        symbol TEXT NOT NULL, side TEXT NOT NULL, qty REAL NOT NULL, price REAL NOT NULL, fee REAL NOT NULL,
        slippage REAL NOT NULL, ts INTEGER NOT NULL, reason TEXT NOT NULL,
        PRIMARY KEY (run_id, id));
      CREATE TABLE funding_payments (
        run_id TEXT NOT NULL REFERENCES runs(id), ts INTEGER NOT NULL, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL,
        rate REAL NOT NULL, amount REAL NOT NULL, source TEXT NOT NULL);
      CREATE TABLE positions (
        run_id TEXT NOT NULL REFERENCES runs(id), strategy_id TEXT NOT NULL, symbol TEXT NOT NULL, qty REAL NOT NULL,
        avg_price REAL NOT NULL, updated_ts INTEGER NOT NULL,
        PRIMARY KEY (run_id, strategy_id, symbol));
      CREATE TABLE trades (
        run_id TEXT NOT NULL REFERENCES runs(id), id TEXT NOT NULL, strategy_id TEXT NOT NULL, symbol TEXT NOT NULL,
        direction TEXT NOT NULL, entry_ts INTEGER NOT NULL, exit_ts INTEGER NOT NULL, entry_price REAL NOT NULL,
        exit_price REAL NOT NULL, qty REAL NOT NULL, gross_pnl REAL NOT NULL, fees REAL NOT NULL, slippage REAL NOT NULL,
        funding REAL NOT NULL, net_pnl REAL NOT NULL, r_multiple REAL, mae REAL NOT NULL, mfe REAL NOT NULL,
        bars INTEGER NOT NULL, exit_reason TEXT NOT NULL,
        PRIMARY KEY (run_id, id));
      CREATE TABLE equity (
        run_id TEXT NOT NULL REFERENCES runs(id), ts INTEGER NOT NULL, cash REAL NOT NULL, equity REAL NOT NULL,
        exposure REAL NOT NULL, drawdown REAL NOT NULL,
        PRIMARY KEY (run_id, ts)) WITHOUT ROWID;
      CREATE TABLE strategy_events (
        run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, instance_id TEXT NOT NULL, kind TEXT NOT NULL,
        code TEXT, message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));
      CREATE TABLE risk_events (
        run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, ts INTEGER NOT NULL, code TEXT NOT NULL,
        kind TEXT NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));
      CREATE TABLE execution_notes (
        run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, ts INTEGER NOT NULL, order_id TEXT NOT NULL,
        strategy_id TEXT NOT NULL, symbol TEXT NOT NULL, kind TEXT NOT NULL, requested_qty REAL NOT NULL,
        filled_qty REAL NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));
      CREATE TABLE backtest_summaries (
        run_id TEXT PRIMARY KEY REFERENCES runs(id), strategies TEXT NOT NULL, symbols TEXT NOT NULL, timeframe TEXT NOT NULL,
        from_ts INTEGER, to_ts INTEGER, metrics TEXT NOT NULL, results_dir TEXT NOT NULL);
      CREATE INDEX fills_by_run_ts ON fills(run_id, ts);
      CREATE INDEX signals_by_run_ts ON signals(run_id, ts);`,
  },
  {
    version: 3,
    name: 'crash-only runs, resumable accounts, feed gaps',
    // `runs` is rebuilt to widen its status CHECK (SQLite cannot alter a CHECK): migrate() runs
    // every migration with foreign keys off and checks them before committing, so the tables
    // that reference runs(id) keep pointing at the rebuilt table.
    sql: `
      CREATE TABLE runs_v3 (
        id              TEXT PRIMARY KEY,
        mode            TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        ended_at        TEXT,
        status          TEXT NOT NULL CHECK (status IN ('running','completed','failed','interrupted','crashed','abandoned')),
        config_snapshot TEXT NOT NULL,
        git_commit      TEXT,
        error           TEXT,
        pid             INTEGER,
        last_step_ts    INTEGER,
        account         TEXT,
        resumed_from    TEXT
      );
      INSERT INTO runs_v3 (id, mode, started_at, ended_at, status, config_snapshot, git_commit, error)
        SELECT id, mode, started_at, ended_at, status, config_snapshot, git_commit, error FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v3 RENAME TO runs;
      CREATE INDEX runs_by_account ON runs(account, started_at);
      CREATE TABLE account_state (
        run_id TEXT PRIMARY KEY REFERENCES runs(id), ts INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE run_candles (
        run_id TEXT NOT NULL REFERENCES runs(id), symbol TEXT NOT NULL, ts INTEGER NOT NULL,
        open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
        traded INTEGER NOT NULL,
        PRIMARY KEY (run_id, symbol, ts)) WITHOUT ROWID;
      CREATE TABLE feed_gaps (
        run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, symbol TEXT NOT NULL,
        from_ts INTEGER NOT NULL, to_ts INTEGER NOT NULL, candles INTEGER NOT NULL, attempts INTEGER NOT NULL,
        message TEXT NOT NULL, recorded_at TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));`,
  },
  {
    version: 4,
    name: 'reconciliation with the exchange',
    sql: `
      CREATE TABLE reconciliation_events (
        run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, recorded_at TEXT NOT NULL,
        phase TEXT NOT NULL, kind TEXT NOT NULL, symbol TEXT NOT NULL, book REAL, exchange REAL,
        action TEXT NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));`,
  },
  {
    version: 5,
    name: 'ranking evaluation slices and metrics',
    // One row per selection of a ranking run (`rank`): its window, return after costs, drawdown
    // inside the window, rank, score and the features it was chosen on (JSON: raw and normalised;
    // features are derived data, kept here only as the record of a decision). Metrics per
    // strategy of the run (metrics JSON as in metrics.json).
    sql: `
      CREATE TABLE slice_results (
        run_id TEXT NOT NULL REFERENCES runs(id), strategy_id TEXT NOT NULL, seq INTEGER NOT NULL,
        eval_ts INTEGER NOT NULL, symbol TEXT NOT NULL, entry_ts INTEGER NOT NULL, exit_ts INTEGER NOT NULL,
        entry_price REAL NOT NULL, exit_price REAL NOT NULL, return_pct REAL NOT NULL, max_drawdown_pct REAL NOT NULL,
        rank INTEGER NOT NULL, score REAL NOT NULL, weight REAL NOT NULL, features TEXT NOT NULL,
        PRIMARY KEY (run_id, strategy_id, seq));
      CREATE TABLE rank_metrics (
        run_id TEXT NOT NULL REFERENCES runs(id), strategy_id TEXT NOT NULL, metrics TEXT NOT NULL,
        PRIMARY KEY (run_id, strategy_id));`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
