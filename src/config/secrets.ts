import { CtError } from '../core/errors.ts';
import type { Config } from './schema.ts';

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
