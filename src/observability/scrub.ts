/**
 * Last line of defence for secrets: every log line, error message, summary and everything a
 * strategy hands the daemon (workers/remote-host.ts, inline-host.ts) passes through a
 * scrubber that replaces known secret VALUES with [REDACTED]. Path-based pino redaction covers
 * fields we know about; this covers the ones we do not (a key echoed inside an exchange error).
 */
const known = new Set<string>();

export function registerSecrets(values: readonly string[]): void {
  for (const v of values) if (v.length >= 4) known.add(v);
}

export function scrub(text: string): string {
  if (known.size === 0) return text;
  let out = text;
  for (const v of known) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
  return out;
}

/** Field paths pino redacts wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'apiKey', 'apiSecret', 'secret', 'password', 'api_key', 'api_secret',
  '*.apiKey', '*.apiSecret', '*.secret', '*.password', '*.api_key', '*.api_secret',
  'headers["X-BAPI-API-KEY"]', 'headers["X-BAPI-SIGN"]', '*.headers["X-BAPI-API-KEY"]', '*.headers["X-BAPI-SIGN"]',
];

/** True when at least one secret value is known (so scrubbing can change anything). */
export function hasSecrets(): boolean {
  return known.size > 0;
}

/**
 * `scrub` applied to every string inside a plain value (arrays, objects; keys too), for what a
 * strategy hands the daemon: Signals (reason, string indicators), log fields, error messages.
 * Returns the SAME reference when nothing changed, so frozen objects and typed arrays (candle
 * columns) pass untouched and the common case (no secret in sight) allocates nothing.
 */
export function scrubDeep<T>(value: T): T {
  if (known.size === 0) return value;
  return scrubValue(value, 0) as T;
}

const MAX_DEPTH = 32;

function scrubValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return scrub(v);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const s = scrubValue(v[i], depth + 1);
      if (s !== v[i]) (out ??= v.slice())[i] = s;
    }
    return out ?? v;
  }
  if (v instanceof Error) {
    const message = scrub(v.message);
    const stack = v.stack === undefined ? undefined : scrub(v.stack);
    if (message === v.message && stack === v.stack) return v;
    const e = new Error(message);
    e.name = v.name;
    e.stack = stack;
    return e;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const sk = scrub(k);
    const sx = scrubValue(x, depth + 1);
    if (sk !== k || sx !== x) {
      out ??= { ...(v as Record<string, unknown>) };
      if (sk !== k) delete out[k];
      out[sk] = sx;
    }
  }
  return out ?? v;
}
