/**
 * The one place where the validated Config becomes the options of the components it drives: the
 * risk gate, the fill simulator, the exchange rules, the venue's retry policy and ccxt client, the
 * live kline feed, the downloader, and the strategy hosts and their supervisor. Every value has been checked by the
 * config schema and its named checks (src/config/checks.ts) before it arrives here, so nothing
 * below validates again; the components only assert their own invariants.
 *
 * Only types are imported from the components, so building options never loads ccxt, piscina or
 * the strategy hosts.
 */
import type { Config } from '../config/schema.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleStore } from '../data/store.ts';
import type { FundingStore } from '../data/funding-store.ts';
import type { DownloadDeps } from '../data/download/deps.ts';
import type { RiskConfig } from '../engine/risk/risk-config.ts';
import type { FillModelConfig } from '../execution/simulated-execution.ts';
import type { Logger } from '../observability/logger.ts';
import type { BybitClientOptions } from '../venues/bybit/ccxt-client.ts';
import type { KlineFeedOptions } from '../venues/bybit/kline-feed.ts';
import type { RetryPolicy } from '../venues/bybit/retry.ts';
import type { StrategyHostOptions } from '../workers/strategy-host.ts';
import type { SupervisorOptions } from '../workers/supervised-host.ts';

/** [risk] + [strategies] weights -> the risk gate's config. Unweighted strategies share equally. */
export function riskConfigOf(c: Config): RiskConfig {
  const r = c.risk;
  const ids = c.strategies.enabled;
  const weights: Record<string, number> = {};
  if (c.strategies.weights.length === 0) for (const id of ids) weights[id] = 1 / ids.length;
  else for (const w of c.strategies.weights) {
    const [id, v] = w.split(':') as [string, string];
    weights[id] = Number(v);
  }
  for (const id of ids) weights[id] ??= 0;
  return {
    sizing: r.sizing,
    positionPct: r.position_pct,
    fixedQty: r.fixed_qty,
    riskPerTradePct: r.risk_per_trade_pct,
    atrStopMult: r.atr_stop_mult,
    maxOpenPositions: r.max_open_positions,
    maxOpenPositionsPerStrategy: r.max_open_positions_per_strategy,
    maxSymbolExposurePct: r.max_symbol_exposure_pct,
    maxTotalExposurePct: r.max_total_exposure_pct,
    maxLeverage: r.max_leverage,
    maxRiskPerTradePct: r.max_risk_per_trade_pct,
    dailyLossLimitPct: r.daily_loss_limit_pct,
    maxDrawdownPct: r.max_drawdown_pct,
    cooldownAfterLossBars: r.cooldown_after_loss_bars,
    expectancyMinTrades: r.expectancy_min_trades,
    expectancyFloor: r.expectancy_floor,
    allowShort: c.exchange.market === 'linear',
    strategyWeights: weights,
  };
}

/** [execution] fees, slippage, fill model and funding fallback -> the simulator (backtest and paper alike). */
export function fillModelOf(c: Config): FillModelConfig {
  const e = c.execution;
  return {
    fillModel: e.fill_model,
    takerFeeBps: e.fee_bps,
    makerFeeBps: e.maker_fee_bps,
    slippageModel: e.slippage_model,
    slippageBps: e.slippage_bps,
    atrSlippageMult: e.atr_slippage_mult,
    atrPeriod: e.atr_period,
    market: c.exchange.market,
    fundingFallbackRate: e.funding_fallback_rate,
    fundingIntervalHours: e.funding_interval_hours,
    timeframeMs: timeframeMs(c.market.timeframe),
  };
}

/** [exchange] min_qty / qty_step / min_notional: the rules used when instrument info is not loaded. */
export function exchangeRulesOf(c: Config): { minQty: number; qtyStep: number; minNotional: number; tickSize: number } {
  return { minQty: c.exchange.min_qty, qtyStep: c.exchange.qty_step, minNotional: c.exchange.min_notional, tickSize: 0 };
}

/** [exchange] max_retries / retry_base_ms / retry_cap_ms as the venue's retry policy. */
export function exchangeRetryPolicy(c: Config): RetryPolicy {
  return { attempts: c.exchange.max_retries + 1, baseMs: c.exchange.retry_base_ms, capMs: c.exchange.retry_cap_ms };
}

/** [exchange] URLs, market and timeout as the ccxt Bybit client's options. */
export function bybitClientOptionsOf(c: Config): BybitClientOptions {
  return { restUrl: c.exchange.rest_url, wsUrl: c.exchange.ws_url, market: c.exchange.market, timeoutMs: c.exchange.request_timeout_ms };
}

/** [exchange] ws_* keys and the retry policy as the live kline feed's connection and backfill options. */
export function klineFeedOptionsOf(c: Config): Pick<KlineFeedOptions, 'pingIntervalMs' | 'stallTimeoutMs' | 'summaryIntervalMs' | 'retry'> {
  return {
    pingIntervalMs: c.exchange.ws_ping_interval_ms,
    stallTimeoutMs: c.exchange.ws_stall_timeout_ms,
    summaryIntervalMs: c.exchange.ws_summary_interval_ms,
    retry: exchangeRetryPolicy(c),
  };
}

/** What the downloader needs: the stores, the ccxt client options, the retry policy and a logger. */
export function downloadDepsOf(c: Config, store: CandleStore, logger: Logger, fundingStore?: FundingStore): DownloadDeps {
  return {
    store,
    fundingStore,
    logger: logger.child({ component: 'download' }),
    clientOptions: bybitClientOptionsOf(c),
    retry: exchangeRetryPolicy(c),
  };
}

/** Strategy host options from [strategies]; `isolation` may be overridden (e.g. inline for a fast backtest). */
export function hostOptionsOf(c: Config, logger: Logger, isolation = c.strategies.isolation): StrategyHostOptions {
  const s = c.strategies;
  return {
    isolation,
    heartbeatMs: s.heartbeat_ms,
    heartbeatMissLimit: s.heartbeat_miss_limit,
    requestTimeoutMs: s.request_timeout_ms,
    shutdownTimeoutMs: s.shutdown_timeout_ms,
    maxMemoryMb: s.max_memory_mb,
    logger,
  };
}

/** Supervisor options (forward, live, dry-run) from [strategies]: restart backoff and limit (the re-warm buffer is the host group's). */
export function supervisorOptionsOf(c: Config, logger: Logger): SupervisorOptions {
  const s = c.strategies;
  return {
    restartBaseMs: s.restart_base_ms,
    restartCapMs: s.restart_cap_ms,
    maxRestarts: s.max_restarts,
    restartResetMs: s.restart_reset_s * 1000,
    logger,
  };
}

/** Where an exchange-backed run's orders go. */
export type ExchangeAccountKind = 'bybit_demo' | 'bybit_testnet' | 'bybit_live';

/** The URLs of an exchange-backed run: public candles, and the signed REST and private stream of its account. */
export interface ExchangeVenue {
  readonly kind: ExchangeAccountKind;
  /** What the operator reads: "Bybit demo trading", "Bybit testnet", "Bybit (REAL ACCOUNT)". */
  readonly label: string;
  readonly real: boolean;
  readonly publicRestUrl: string;
  readonly publicWsUrl: string;
  readonly privateRestUrl: string;
  /** The full private stream URL (<base>/v5/private). */
  readonly privateWsUrl: string;
}

function noSlash(u: string): string {
  return u.endsWith('/') ? u.slice(0, -1) : u;
}

/**
 * Bybit's demo trading has its own REST base and private stream, and its public market data is
 * mainnet's (Bybit's demo documentation); testnet is a market of its own, candles included.
 */
export function exchangeVenueOf(c: Config, kind: ExchangeAccountKind): ExchangeVenue {
  const e = c.exchange;
  switch (kind) {
    case 'bybit_demo':
      return { kind, label: 'Bybit demo trading', real: false, publicRestUrl: e.rest_url, publicWsUrl: e.ws_url, privateRestUrl: e.demo_rest_url, privateWsUrl: `${noSlash(e.demo_ws_url)}/v5/private` };
    case 'bybit_testnet':
      return { kind, label: 'Bybit testnet', real: false, publicRestUrl: e.testnet_rest_url, publicWsUrl: e.testnet_ws_url, privateRestUrl: e.testnet_rest_url, privateWsUrl: `${noSlash(e.testnet_ws_url)}/v5/private` };
    case 'bybit_live':
      return { kind, label: 'Bybit (REAL ACCOUNT)', real: true, publicRestUrl: e.rest_url, publicWsUrl: e.ws_url, privateRestUrl: e.rest_url, privateWsUrl: `${noSlash(e.ws_url)}/v5/private` };
  }
}
