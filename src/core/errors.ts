/**
 * The one registry of stable error codes. Every error the daemon raises on purpose carries a code
 * from here; log alerts, the console menu and tests key on the code, never on the wording.
 *
 * Each code is classified by what the operator must do (see docs/errors.md):
 *  - retry:         a passing condition (rate limit, network); back off and try again.
 *  - fatal:         the daemon cannot go on safely; halt trading and alert a human.
 *  - strategy:      user strategy code failed; contain it to that strategy.
 *  - invalid_input: bad config, usage, file or message; reject it and name the place and value.
 *
 * docs/errors.md must list exactly these codes (tests/unit/error-registry.test.ts checks it).
 */
export type ErrorClass = 'retry' | 'fatal' | 'strategy' | 'invalid_input';

interface ErrorSpec {
  readonly errorClass: ErrorClass;
  readonly meaning: string;
}

export const ERROR_CODES = {
  // --- usage and configuration -------------------------------------------------------------
  CT_ERR_USAGE: { errorClass: 'invalid_input', meaning: 'The command line is wrong (unknown option, missing argument, bad value).' },
  CT_ERR_CONFIG_NOT_FOUND: { errorClass: 'invalid_input', meaning: 'The config file named by --config does not exist or cannot be read.' },
  CT_ERR_CONFIG_INVALID: { errorClass: 'invalid_input', meaning: 'A config key (file or --set) is unknown, missing or has a value outside what is allowed.' },
  CT_ERR_SECRET_MISSING: { errorClass: 'invalid_input', meaning: 'The mode needs API credentials but the environment variables named in [secrets] are empty.' },
  CT_ERR_STATE_LOCKED: { errorClass: 'invalid_input', meaning: 'Another daemon (forward, live or dry-run) is running on the same state directory; one daemon per general.state_dir.' },
  CT_ERR_LIVE_NOT_CONFIRMED: { errorClass: 'invalid_input', meaning: 'Live trading was requested without the explicit confirmation flag.' },
  // --- state (SQLite) ------------------------------------------------------------------------
  CT_ERR_DB_MIGRATION: { errorClass: 'fatal', meaning: 'The state database could not be migrated to the schema this version needs.' },
  CT_ERR_DB_NEWER: { errorClass: 'fatal', meaning: 'The state database was written by a newer version of cryptotrader (its user_version is ahead of ours).' },
  CT_ERR_DB_LOCKED: { errorClass: 'retry', meaning: 'The state database stayed locked by another connection for longer than general.db_busy_timeout_ms.' },
  CT_ERR_DB_WRITE: { errorClass: 'fatal', meaning: 'A write to the state database failed (disk full, permissions, corruption).' },
  CT_ERR_ACCOUNT_STATE: { errorClass: 'fatal', meaning: 'The saved state of the account a forward run resumes cannot be read back (unknown shape version, missing or malformed field); nothing was traded.' },
  CT_ERR_ACCOUNT_MISMATCH: { errorClass: 'invalid_input', meaning: 'The config does not match the account a forward run resumes (market, timeframe, symbols, strategies, weights or ATR period differ).' },
  // --- market data ---------------------------------------------------------------------------
  CT_ERR_TIMEFRAME_INVALID: { errorClass: 'invalid_input', meaning: 'A timeframe is not one of the supported ones (1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d).' },
  CT_ERR_SYMBOL_INVALID: { errorClass: 'invalid_input', meaning: 'A symbol is not a ccxt unified symbol (BTC/USDT, BTC/USDT:USDT) or the exchange does not list it.' },
  CT_ERR_CSV_INVALID: { errorClass: 'invalid_input', meaning: 'A CSV file cannot be imported at all (missing file, wrong header).' },
  CT_ERR_TIMEFRAME_MISMATCH: { errorClass: 'invalid_input', meaning: 'The rows of an imported candle file are not spaced by the --timeframe given (e.g. 1h candles imported as 4h); nothing was stored.' },
  CT_ERR_CANDLE_INVALID: { errorClass: 'invalid_input', meaning: 'A candle row failed validation (non-finite number, high/low outside open/close, negative volume, off-grid or non-increasing time).' },
  CT_ERR_PARQUET_CORRUPT: { errorClass: 'invalid_input', meaning: 'A Parquet file in the store is truncated, corrupt or has an unexpected schema; `data repair` moves it aside.' },
  CT_ERR_STORE_WRITE: { errorClass: 'fatal', meaning: 'Writing to the candle store failed (disk full, permissions); files already stored are left intact.' },
  CT_ERR_DATA_MISSING: { errorClass: 'invalid_input', meaning: 'Candles for the requested range are not in the store and cannot be downloaded.' },
  CT_ERR_FUNDING_INVALID: { errorClass: 'invalid_input', meaning: 'A funding-rate row failed validation (non-integer or non-increasing time, non-finite rate, |rate| >= 1).' },
  CT_ERR_FUNDING_MISSING: { errorClass: 'invalid_input', meaning: 'Funding history for a linear perpetual is missing where the run needs it and no fallback rate was allowed.' },
  CT_ERR_DATA_VERIFY_FAILED: { errorClass: 'fatal', meaning: 'data verify found rule violations or corrupt month files in the store, or gaps without --allow-gaps; the report names each.' },
  // --- exchange -------------------------------------------------------------------------------
  CT_ERR_EXCHANGE_RATE_LIMIT: { errorClass: 'retry', meaning: 'The exchange throttled us (Bybit retCode 10006 or HTTP 403/429); backed off and retried.' },
  CT_ERR_EXCHANGE_UNAVAILABLE: { errorClass: 'retry', meaning: 'The exchange could not be reached or answered with a server error (5xx, timeout, dropped connection).' },
  CT_ERR_EXCHANGE_REJECTED: { errorClass: 'invalid_input', meaning: 'The exchange refused the request (bad symbol, bad interval, bad parameter).' },
  CT_ERR_EXCHANGE_AUTH: { errorClass: 'fatal', meaning: 'The exchange refused our credentials or their permissions.' },
  CT_ERR_EXCHANGE_REPLY_INVALID: { errorClass: 'invalid_input', meaning: 'An exchange reply or WebSocket frame did not have the expected shape; it was dropped and logged.' },
  CT_ERR_FEED_GAP: { errorClass: 'retry', meaning: 'Candles are missing from the live feed (a skipped push, a disconnect, a stall); they are backfilled over REST before trading goes on, retried until it works; a range the exchange has no candles for is recorded in feed_gaps.' },
  CT_ERR_FOREIGN_POSITION: { errorClass: 'fatal', meaning: 'An exchange-backed start found a position or coin on the account that the daemon did not open, and live.on_foreign_position = stop: it stopped before trading, with the diff (exit code 3).' },
  CT_ERR_RECONCILE_DRIFT: { errorClass: 'fatal', meaning: "The daemon's book (positions, cash, open orders) differs from the exchange's; logged loudly and recorded in reconciliation_events." },
  CT_ERR_CLOCK_SKEW: { errorClass: 'fatal', meaning: "The local clock is further from Bybit's (/v5/market/time) than exchange.recv_window_ms allows: signed requests would be refused." },
  CT_ERR_PREFLIGHT_FAILED: { errorClass: 'fatal', meaning: 'A forward or live start found a fatal preflight check failed (named with its reason and fix) and refused to trade; --skip-preflight overrides it, logged.' },
  CT_ERR_RETRIES_EXHAUSTED: { errorClass: 'fatal', meaning: 'A retryable exchange error persisted past the configured number of attempts.' },
  // --- strategies -----------------------------------------------------------------------------
  CT_ERR_STRATEGY_NOT_FOUND: { errorClass: 'invalid_input', meaning: 'A strategy id in strategies.enabled is neither built in nor found in the custom strategy folder.' },
  CT_ERR_STRATEGY_PARAM_INVALID: { errorClass: 'invalid_input', meaning: 'A strategy parameter is unknown, of the wrong type or outside its min/max/options.' },
  CT_ERR_INDICATOR_PARAM: { errorClass: 'invalid_input', meaning: 'An indicator was called with a bad parameter (period not an integer >= its minimum, non-finite multiplier, inputs of different lengths).' },
  CT_ERR_STRATEGY_LOAD: { errorClass: 'strategy', meaning: 'A strategy module could not be loaded or does not satisfy the strategy contract.' },
  CT_ERR_STRATEGY_THREW: { errorClass: 'strategy', meaning: 'A strategy handler threw an exception.' },
  CT_ERR_STRATEGY_TIMEOUT: { errorClass: 'strategy', meaning: 'A strategy host missed its heartbeats or did not answer within the deadline.' },
  CT_ERR_STRATEGY_DIED: { errorClass: 'strategy', meaning: 'A strategy host process or worker exited unexpectedly.' },
  CT_ERR_STRATEGY_MEMORY: { errorClass: 'strategy', meaning: 'A strategy process or worker reached its memory cap (strategies.max_memory_mb) and was stopped.' },
  CT_ERR_STRATEGY_RELOAD: { errorClass: 'strategy', meaning: 'A hot reload of a changed strategy file was refused (the look-ahead check failed, onFill appeared or went, the file is gone, ...); the old code keeps running.' },
  CT_ERR_SIGNAL_INVALID: { errorClass: 'strategy', meaning: 'A strategy emitted a Signal that breaks the Signal contract (unknown symbol, exposure outside [-1, 1], ...).' },
  CT_ERR_PROTOCOL: { errorClass: 'fatal', meaning: 'A host/strategy message broke the protocol (wrong version, unknown type, bad correlation id).' },
  // --- engine ----------------------------------------------------------------------------------
  CT_ERR_RUN_FAILED: { errorClass: 'fatal', meaning: 'A run stopped before its end; the runs table records it as failed with this reason.' },
  CT_ERR_RESULTS_WRITE: { errorClass: 'fatal', meaning: 'results/<run-id>/ could not be written (disk full, permissions, or the directory already exists); nothing partial is left behind.' },
  CT_ERR_INTERNAL: { errorClass: 'fatal', meaning: 'A bug: an invariant of cryptotrader itself was broken. Please report it with the log.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Exit code of the process for an error class: bad usage/config/input exits 2 (never a stack trace). */
export function exitCodeFor(errorClass: ErrorClass, code?: ErrorCode): number {
  // A foreign position stops the start on purpose: its own code, so a supervisor does not restart into it.
  if (code === 'CT_ERR_FOREIGN_POSITION') return 3;
  return errorClass === 'invalid_input' ? 2 : 1;
}

export class CtError extends Error {
  readonly code: ErrorCode;
  readonly errorClass: ErrorClass;
  /** Machine-readable facts about the failure (file, key, value, row...). Never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CtError';
    this.code = code;
    this.errorClass = ERROR_CODES[code].errorClass;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** One line for an operator: `CT_ERR_X: message`. */
  toLine(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isCtError(e: unknown): e is CtError {
  return e instanceof CtError;
}
