import type { Config } from '../config/schema.ts';
import type { CandleStore } from '../data/store.ts';
import type { FundingStore } from '../data/funding-store.ts';
import type { DownloadDeps } from '../data/download/deps.ts';
import type { Logger } from '../observability/logger.ts';
import type { RetryPolicy } from '../venues/bybit/retry.ts';

/** [exchange] max_retries / retry_base_ms / retry_cap_ms as the venue's retry policy. */
export function exchangeRetryPolicy(config: Config): RetryPolicy {
  return { attempts: config.exchange.max_retries + 1, baseMs: config.exchange.retry_base_ms, capMs: config.exchange.retry_cap_ms };
}

/** [exchange] -> what the downloader needs (ccxt client options, retry policy, logger). */
export function downloadDepsOf(config: Config, store: CandleStore, logger: Logger, fundingStore?: FundingStore): DownloadDeps {
  return {
    store,
    fundingStore,
    logger: logger.child({ component: 'download' }),
    clientOptions: {
      restUrl: config.exchange.rest_url,
      wsUrl: config.exchange.ws_url,
      market: config.exchange.market,
      timeoutMs: config.exchange.request_timeout_ms,
    },
    retry: exchangeRetryPolicy(config),
  };
}
