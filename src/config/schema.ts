import { TIMEFRAME_NAMES } from '../core/timeframe.ts';
import { RUN_MODES } from '../domain/run-mode.ts';
import { bool, date, list, num, oneOf, str, type Field } from './fields.ts';

/**
 * Every runtime parameter of the daemon, section by section. The shipped config/config.ini must
 * carry every key listed here with a comment (tests/unit/config/shipped-config.test.ts checks it).
 * Per-strategy parameters live in `[strategy.<id>]` sections and are validated against the
 * strategy's own schema, not here.
 */
const SYMBOL = /^[A-Z0-9]{2,15}\/[A-Z0-9]{2,10}(:[A-Z0-9]{2,10})?$/;
const ID = /^[a-z][a-z0-9_]*$/;
/** What an environment variable NAME looks like (the rule of every secrets.* key). */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const WEIGHT = /^[a-z][a-z0-9_]*:(\d+(\.\d+)?)$/;

export const SECTIONS = {
  general: {
    mode: oneOf(RUN_MODES, 'backtest'),
    data_dir: str({ default: 'data' }),
    state_dir: str({ default: 'State' }),
    results_dir: str({ default: 'results' }),
    log_dir: str({ default: 'logs' }),
    log_level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info'),
    db_busy_timeout_ms: num({ int: true, min: 0, max: 3_600_000, default: 60_000 }),
  },
  exchange: {
    name: oneOf(['bybit'] as const, 'bybit'),
    market: oneOf(['spot', 'linear'] as const, 'spot'),
    rest_url: str({ default: 'https://api.bybit.com', pattern: /^https?:\/\/\S+$/, allowed: 'an http(s) URL' }),
    ws_url: str({ default: 'wss://stream.bybit.com', pattern: /^wss?:\/\/\S+$/, allowed: 'a ws(s) URL (without the /v5/public/... path)' }),
    demo_rest_url: str({ default: 'https://api-demo.bybit.com', pattern: /^https?:\/\/\S+$/, allowed: 'an http(s) URL' }),
    demo_ws_url: str({ default: 'wss://stream-demo.bybit.com', pattern: /^wss?:\/\/\S+$/, allowed: 'a ws(s) URL (without the /v5/private path)' }),
    testnet_rest_url: str({ default: 'https://api-testnet.bybit.com', pattern: /^https?:\/\/\S+$/, allowed: 'an http(s) URL' }),
    testnet_ws_url: str({ default: 'wss://stream-testnet.bybit.com', pattern: /^wss?:\/\/\S+$/, allowed: 'a ws(s) URL (without the /v5/... path)' }),
    recv_window_ms: num({ int: true, min: 1000, max: 60_000, default: 5000 }),
    request_timeout_ms: num({ int: true, min: 100, max: 120_000, default: 10_000 }),
    max_retries: num({ int: true, min: 0, max: 50, default: 8 }),
    retry_base_ms: num({ int: true, min: 1, max: 60_000, default: 500 }),
    retry_cap_ms: num({ int: true, min: 1, max: 600_000, default: 30_000 }),
    ws_ping_interval_ms: num({ int: true, min: 100, max: 300_000, default: 20_000 }),
    ws_stall_timeout_ms: num({ int: true, min: 200, max: 900_000, default: 50_000 }),
    ws_summary_interval_ms: num({ int: true, min: 0, max: 86_400_000, default: 600_000 }),
    min_qty: num({ min: 0, default: 0 }),
    qty_step: num({ min: 0, default: 0.000001 }),
    min_notional: num({ min: 0, default: 5 }),
  },
  market: {
    symbols: list({ default: 'BTC/USDT,ETH/USDT', item: SYMBOL, min: 1, allowed: 'a comma list of ccxt symbols (BTC/USDT, or BTC/USDT:USDT on linear)' }),
    timeframe: oneOf(TIMEFRAME_NAMES, '1h'),
  },
  /** How simulated orders fill: the same for a backtest and for paper trading (dry-run, forward). */
  execution: {
    fee_bps: num({ min: 0, max: 1000, default: 10 }),
    maker_fee_bps: num({ min: -100, max: 1000, default: 2 }),
    slippage_bps: num({ min: 0, max: 1000, default: 2 }),
    slippage_model: oneOf(['fixed', 'atr'] as const, 'fixed'),
    atr_slippage_mult: num({ min: 0, max: 10, default: 0.05 }),
    atr_period: num({ int: true, min: 1, max: 1000, default: 14 }),
    fill_model: oneOf(['next_open', 'close'] as const, 'next_open'),
    funding_fallback_rate: num({ min: -0.05, max: 0.05, default: 0.0001 }),
    funding_interval_hours: num({ int: true, min: 1, max: 24, default: 8 }),
  },
  backtest: {
    from: date({ default: '2022-01-01', optional: true }),
    to: date({ default: '2024-01-01', optional: true }),
    initial_cash: num({ gt: 0, default: 10_000 }),
    data_exchange: str({ default: 'bybit', pattern: ID, allowed: 'an exchange name as used in the data store (bybit, binance, ...)' }),
    auto_download: bool(true),
    batch_size: num({ int: true, min: 1, max: 1_000_000, default: 8192 }),
  },
  forward: {
    execution: oneOf(['paper', 'bybit_demo', 'bybit_testnet'] as const, 'paper'),
    account: str({ default: 'paper', pattern: ID, allowed: 'an account id (lowercase letters, digits and _, starting with a letter), e.g. paper' }),
    initial_cash: num({ gt: 0, default: 10_000 }),
    warmup_candles: num({ int: true, min: 0, max: 100_000, default: 500 }),
    max_candles: num({ int: true, min: 0, default: 0 }),
  },
  live: {
    confirm: bool(false),
    account: str({ default: 'live', pattern: ID, allowed: 'an account id (lowercase letters, digits and _, starting with a letter), e.g. live' }),
    reconcile_interval_s: num({ int: true, min: 5, max: 86_400, default: 60 }),
    on_foreign_position: oneOf(['ignore', 'stop'] as const, 'ignore'),
    max_candles: num({ int: true, min: 0, default: 0 }),
  },
  dry_run: {
    seed: num({ int: true, min: 0, max: 4_294_967_295, default: 42 }),
    symbols: list({ default: 'BTC/USDT,ETH/USDT,SOL/USDT', item: SYMBOL, min: 1, allowed: 'a comma list of ccxt symbols' }),
    start: date({ default: '2024-01-01' }),
    max_candles: num({ int: true, min: 0, default: 0 }),
    speed: num({ min: 0, default: 0 }),
    initial_cash: num({ gt: 0, default: 10_000 }),
  },
  risk: {
    sizing: oneOf(['fixed', 'percent_equity', 'risk'] as const, 'percent_equity'),
    position_pct: num({ gt: 0, max: 1000, default: 95 }),
    fixed_qty: num({ min: 0, default: 0.01 }),
    risk_per_trade_pct: num({ min: 0, max: 100, default: 1 }),
    atr_stop_mult: num({ gt: 0, max: 100, default: 2 }),
    max_open_positions: num({ int: true, min: 0, default: 10 }),
    max_open_positions_per_strategy: num({ int: true, min: 0, default: 5 }),
    max_symbol_exposure_pct: num({ min: 0, max: 10_000, default: 100 }),
    max_total_exposure_pct: num({ min: 0, max: 10_000, default: 100 }),
    max_leverage: num({ gt: 0, max: 100, default: 1 }),
    max_risk_per_trade_pct: num({ min: 0, max: 100, default: 0 }),
    daily_loss_limit_pct: num({ min: 0, max: 100, default: 0 }),
    max_drawdown_pct: num({ min: 0, max: 100, default: 0 }),
    cooldown_after_loss_bars: num({ int: true, min: 0, default: 0 }),
    expectancy_min_trades: num({ int: true, min: 0, default: 0 }),
    expectancy_floor: num({ default: 0 }),
  },
  strategies: {
    enabled: list({ default: 'simple_ma', item: ID, min: 1, allowed: 'a comma list of strategy ids (lowercase, e.g. simple_ma,rsi_reversion)' }),
    isolation: oneOf(['process', 'worker', 'inline'] as const, 'process'),
    custom_dir: str({ default: 'strategies/custom' }),
    weights: list({ default: '', item: WEIGHT, allowed: 'empty (equal weights) or a comma list id:weight, e.g. simple_ma:0.6,rsi_reversion:0.4' }),
    heartbeat_ms: num({ int: true, min: 50, max: 60_000, default: 1000 }),
    heartbeat_miss_limit: num({ int: true, min: 1, max: 100, default: 5 }),
    request_timeout_ms: num({ int: true, min: 100, max: 3_600_000, default: 120_000 }),
    shutdown_timeout_ms: num({ int: true, min: 10, max: 60_000, default: 3000 }),
    restart_base_ms: num({ int: true, min: 1, max: 600_000, default: 500 }),
    restart_cap_ms: num({ int: true, min: 1, max: 3_600_000, default: 30_000 }),
    max_restarts: num({ int: true, min: 0, max: 1000, default: 10 }),
    restart_reset_s: num({ int: true, min: 1, max: 31_536_000, default: 600 }),
    max_memory_mb: num({ int: true, min: 32, max: 1_048_576, default: 1024 }),
    hot_reload: bool(true),
    reload_debounce_ms: num({ int: true, min: 300, max: 800, default: 500 }),
  },
  preflight: {
    max_clock_skew_ms: num({ int: true, min: 0, max: 60_000, default: 5000 }),
    min_free_disk_mb: num({ int: true, min: 0, default: 1024 }),
    lookahead_candles: num({ int: true, min: 50, max: 100_000, default: 500 }),
  },
  /** `walkforward`: optimise on a train window, run the choice on the next test window, roll on. */
  walkforward: {
    train_days: num({ int: true, min: 1, max: 36_500, default: 180 }),
    test_days: num({ int: true, min: 1, max: 36_500, default: 60 }),
    step_days: num({ int: true, min: 0, max: 36_500, default: 0 }),
    windows: oneOf(['rolling', 'anchored'] as const, 'rolling'),
    objective: oneOf(['sharpe', 'sortino', 'calmar', 'profit_factor', 'expectancy', 'total_return'] as const, 'sharpe'),
    min_trades: num({ int: true, min: 0, max: 1_000_000, default: 10 }),
    steps: num({ int: true, min: 2, max: 100, default: 5 }),
  },
  /** `rank`: the 4-hour ranking evaluation over a universe of symbols (docs/research.md). */
  rank: {
    symbols: list({ default: 'BTC/USDT,ETH/USDT,SOL/USDT,XRP/USDT,BNB/USDT', item: SYMBOL, min: 1, allowed: 'a comma list of ccxt symbols (the universe)' }),
    strategies: list({ default: 'macd_rsi_confluence,momentum_rank', item: ID, min: 1, allowed: 'a comma list of ranking strategy ids' }),
    feature_timeframe: oneOf(TIMEFRAME_NAMES, '1h'),
    shift_hours: num({ int: true, min: 1, max: 720, default: 2 }),
    window_hours: num({ int: true, min: 1, max: 720, default: 4 }),
    max_positions: num({ int: true, min: 1, max: 100, default: 3 }),
    max_atr_pct: num({ gt: 0, max: 100, default: 5 }),
    min_volume: num({ min: 0, default: 0 }),
    normalize: oneOf(['zscore', 'percentile'] as const, 'zscore'),
    lookback_candles: num({ int: true, min: 50, max: 100_000, default: 300 }),
  },
  /** What every backtest, walk-forward and ranking run writes beside its CSV files. */
  report: {
    html: bool(true),
    png: bool(true),
    monte_carlo_runs: num({ int: true, min: 0, max: 100_000, default: 1000 }),
    monte_carlo_seed: num({ int: true, min: 0, max: 4_294_967_295, default: 7 }),
  },
  /** `serve`: the local dashboard (127.0.0.1 only). */
  serve: {
    port: num({ int: true, min: 0, max: 65_535, default: 8787 }),
  },
  secrets: {
    api_key_env: str({ default: 'BYBIT_API_KEY', pattern: ENV_NAME, allowed: 'an environment variable NAME (not the key itself)' }),
    api_secret_env: str({ default: 'BYBIT_API_SECRET', pattern: ENV_NAME, allowed: 'an environment variable NAME (not the secret itself)' }),
  },
} as const satisfies Record<string, Record<string, Field<unknown>>>;

export type SectionName = keyof typeof SECTIONS;

/**
 * Keys that moved to another section. Giving one (in the file or with --set) is an error naming
 * its new place, so an old config never runs on a silently ignored or defaulted value.
 */
export const MOVED_KEYS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    // Every [execution] key lived in [backtest] before that section existed.
    [
      ...Object.keys(SECTIONS.execution).map((k) => [`backtest.${k}`, `execution.${k}`] as const),
      // The clock bound is checked by preflight, before every exchange-backed start and on its own.
      ['exchange.max_clock_skew_ms', 'preflight.max_clock_skew_ms'] as const,
    ],
  ),
);
type FieldValue<F> = F extends Field<infer T> ? T : never;
type SectionValue<S> = { readonly [K in keyof S]: FieldValue<S[K]> };

/** The validated, frozen config. Keys keep the INI names so docs, files and code say the same thing. */
export type Config = { readonly [S in SectionName]: SectionValue<(typeof SECTIONS)[S]> } & {
  /** Raw parameters of each `[strategy.<id>]` section, validated later against the strategy's schema. */
  readonly strategy: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The file the config came from (for messages). */
  readonly source: string;
};

/** One thing wrong with the config: the `section.key`, the value given, and a message naming what is allowed. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: string | undefined;
  readonly message: string;
}
