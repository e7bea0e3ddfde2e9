import { CtError } from '../core/errors.ts';
import { ENV_NAME, type Config } from './schema.ts';

/**
 * API credentials come from the environment (.env via dotenv), under the variable NAMES given in
 * [secrets]. The values are kept in this object only; `secretValues()` feeds the log scrubber so
 * that a key can never be printed, even by accident inside an error message.
 */
export interface Secrets {
  readonly apiKey: string | undefined;
  readonly apiSecret: string | undefined;
}

export function readSecrets(config: Config, env: NodeJS.ProcessEnv = process.env): Secrets {
  const k = env[config.secrets.api_key_env];
  const s = env[config.secrets.api_secret_env];
  return Object.freeze({ apiKey: k && k.length > 0 ? k : undefined, apiSecret: s && s.length > 0 ? s : undefined });
}

/** Live trading and the Bybit demo account need both credentials. */
export function requireSecrets(config: Config, secrets: Secrets, why: string): void {
  const missing: string[] = [];
  if (!secrets.apiKey) missing.push(config.secrets.api_key_env);
  if (!secrets.apiSecret) missing.push(config.secrets.api_secret_env);
  if (missing.length > 0) {
    throw new CtError(
      'CT_ERR_SECRET_MISSING',
      `${why} needs Bybit API credentials: set ${missing.join(' and ')} in .env (see .env.example; the names come from [secrets] in ${config.source})`,
      { details: { missing } },
    );
  }
}

export function secretValues(secrets: Secrets): string[] {
  return [secrets.apiKey, secrets.apiSecret].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/**
 * Values a config error must never show: the environment values of every variable a secrets.*
 * key names or could name (its default, and whatever name the file or --set gave). A config
 * error is raised before the secrets are loaded for the log scrubber, so the config layer redacts
 * these itself (load.ts).
 */
export function secretCandidates(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const n of names) {
    if (!ENV_NAME.test(n)) continue;
    const v = env[n];
    if (v !== undefined && v.length >= 4) out.add(v);
  }
  return [...out];
}

/** `text` with every candidate secret value replaced by [REDACTED]. */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
  return out;
}
