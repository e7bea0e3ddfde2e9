/**
 * What the download functions need from the outside. The CLI builds these from config
 * (`exchange.rest_url`, `exchange.ws_url`, `data.dir`); tests pass a fake server's URLs.
 */
import type { CandleStore } from '../store.ts';
import type { FundingStore } from '../funding-store.ts';
import { createBybitClient, type BybitClient, type BybitClientOptions } from '../../venues/bybit/ccxt-client.ts';
import { DEFAULT_RETRY_POLICY, SILENT_LOGGER, type RetryPolicy, type VenueLogger } from '../../venues/bybit/retry.ts';
import { autoProgress, type ProgressSink } from './progress.ts';

export interface DownloadDeps {
  readonly store: CandleStore;
  /** Needed by downloadFunding only. */
  readonly fundingStore?: FundingStore;
  /** A ready ccxt Bybit client; otherwise one is built from `clientOptions`. */
  readonly client?: BybitClient;
  readonly clientOptions?: BybitClientOptions;
  readonly logger?: VenueLogger;
  /** Backoff for retryable errors (tests use a few ms). */
  readonly retry?: Partial<RetryPolicy>;
  /** Aborting stops after the in-flight page (at most that page is lost; everything before is stored). */
  readonly signal?: AbortSignal;
  /** Default: a bar on a TTY stderr, log lines otherwise. */
  readonly progress?: ProgressSink;
}

export interface ResolvedDeps {
  readonly store: CandleStore;
  readonly fundingStore: FundingStore | undefined;
  readonly client: BybitClient;
  readonly logger: VenueLogger;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  readonly progress: ProgressSink;
}

export function resolveDeps(deps: DownloadDeps): ResolvedDeps {
  const logger = deps.logger ?? SILENT_LOGGER;
  return {
    store: deps.store,
    fundingStore: deps.fundingStore,
    client: deps.client ?? createBybitClient(deps.clientOptions ?? {}),
    logger,
    retry: { ...DEFAULT_RETRY_POLICY, ...(deps.retry ?? {}) },
    signal: deps.signal,
    progress: deps.progress ?? autoProgress(logger),
  };
}
