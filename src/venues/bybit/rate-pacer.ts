/**
 * Pacing on Bybit's per-endpoint limit headers (on top of ccxt's own request throttle). Every reply
 * of the signed API carries `X-Bapi-Limit` (requests allowed in the window), `X-Bapi-Limit-Status`
 * (how many are left) and `X-Bapi-Limit-Reset-Timestamp` (ms, when the window refills). When a path
 * has none left, the next request to it waits until the reset instead of being refused (10006)
 * and burning a retry. The limits are per path (per UID), so one path running out never slows another.
 *
 * The reset is in the exchange's clock; `skewMs` (ours minus theirs, from checkClock) converts it.
 * A wait is capped at `maxWaitMs` so a bogus reset (a timestamp far in the future) cannot park the
 * daemon; the request then goes and, if still refused, is retried with the usual backoff.
 */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface LimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Exchange-clock ms when the window refills. */
  readonly resetAt: number;
}

export const DEFAULT_MAX_PACE_WAIT_MS = 10_000;

function intHeader(headers: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The three limit headers of one reply, or undefined when the reply has none (public paths, errors before the gateway). */
export function limitFromHeaders(headers: Readonly<Record<string, string | undefined>> | undefined): LimitState | undefined {
  if (headers === undefined) return undefined;
  const remaining = intHeader(headers, 'X-Bapi-Limit-Status');
  const resetAt = intHeader(headers, 'X-Bapi-Limit-Reset-Timestamp');
  if (remaining === undefined || resetAt === undefined) return undefined;
  return { limit: intHeader(headers, 'X-Bapi-Limit') ?? 0, remaining, resetAt };
}

export class RatePacer {
  private readonly byPath = new Map<string, LimitState>();
  /** Ours minus the exchange's clock, ms. */
  skewMs = 0;

  constructor(private readonly clock: PacerClock, private readonly maxWaitMs = DEFAULT_MAX_PACE_WAIT_MS) {}

  /** Records the limit state a reply to `path` reported (ignored when it reported none). */
  note(path: string, headers: Readonly<Record<string, string | undefined>> | undefined): void {
    const s = limitFromHeaders(headers);
    if (s !== undefined) this.byPath.set(path, s);
  }

  /** How long a request to `path` must wait now (0 = go). */
  delayFor(path: string): number {
    const s = this.byPath.get(path);
    if (s === undefined || s.remaining > 0) return 0;
    const wait = s.resetAt + this.skewMs - this.clock.now();
    return Math.max(0, Math.min(this.maxWaitMs, wait));
  }

  /** Waits until `path` may be requested; returns the ms waited. The spent window is then forgotten. */
  async wait(path: string): Promise<number> {
    const ms = this.delayFor(path);
    if ((this.byPath.get(path)?.remaining ?? 1) <= 0) this.byPath.delete(path);
    if (ms > 0) await this.clock.sleep(ms);
    return ms;
  }

  state(path: string): LimitState | undefined {
    return this.byPath.get(path);
  }
}
