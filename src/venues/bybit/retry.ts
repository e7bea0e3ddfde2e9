/**
 * Capped exponential backoff around one exchange call. Only errors that `retryabilityOf` calls
 * retryable are retried; a final error is rethrown at once as a CtError. No jitter: with one
 * process per venue there is no herd to spread, and determinism makes tests and logs reproducible.
 */
import { CtError } from '../../core/errors.ts';
import { retryabilityOf, toCtError } from './errors.ts';

export interface RetryPolicy {
  /** Total tries including the first (default 6). */
  readonly attempts: number;
  /** First delay in ms (default 1000); doubles each retry. */
  readonly baseMs: number;
  /** Upper bound of one delay in ms (default 60 000). */
  readonly capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseMs: 1000, capMs: 60_000 };

/** Minimal structured logger; pino's Logger satisfies it. */
export interface VenueLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const SILENT_LOGGER: VenueLogger = { info() {}, warn() {}, error() {} };

export function backoffDelay(policy: RetryPolicy, retryIndex: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** retryIndex);
}

/** Sleeps `ms`, rejecting early with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `call` until it succeeds, a final error occurs, or `policy.attempts` are used up
 * (then CT_ERR_RETRIES_EXHAUSTED naming `where` and the last error's code).
 */
export async function withRetry<T>(call: () => Promise<T>, where: string, policy: RetryPolicy, logger: VenueLogger, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await call();
    } catch (e) {
      const kind = retryabilityOf(e);
      const err = toCtError(e, where);
      if (kind === 'final') throw err;
      if (attempt + 1 >= policy.attempts) {
        throw new CtError('CT_ERR_RETRIES_EXHAUSTED', `${where}: gave up after ${policy.attempts} attempts; last error ${err.code}: ${err.message}`, {
          cause: err,
          details: { where, attempts: policy.attempts, lastCode: err.code },
        });
      }
      const delay = backoffDelay(policy, attempt);
      logger.warn({ code: err.code, where, attempt: attempt + 1, delayMs: delay }, `${err.code}: ${where}: retrying in ${delay} ms`);
      await sleep(delay, signal);
    }
  }
}
