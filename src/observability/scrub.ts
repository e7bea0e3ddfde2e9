/**
 * Last line of defence for secrets: every log line, error message and summary passes through a
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
