import { existsSync } from 'node:fs';
import dotenv from 'dotenv';
import { checkStrategyParams } from '../app/strategy-params.ts';
import { loadConfig, type RawConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { readSecrets, secretValues, type Secrets } from '../config/secrets.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { registerSecrets } from '../observability/scrub.ts';
import { shorthandSets, type GlobalOptions } from './global-options.ts';

/** Everything a command needs, built once from the global options. */
export interface CliContext {
  readonly opts: GlobalOptions;
  readonly config: Config;
  readonly raw: RawConfig;
  readonly secrets: Secrets;
  readonly logger: Logger;
}

export async function buildContext(opts: GlobalOptions, logFileName = 'cryptotrader.log', extraSets: string[] = []): Promise<CliContext> {
  // .env is optional; real environment variables win over it.
  if (existsSync('.env')) dotenv.config({ path: '.env', quiet: true });
  const { config, raw } = loadConfig({ file: opts.config, sets: [...shorthandSets(opts), ...extraSets] });
  // Strategy parameters too, so a bad one exits 2 here rather than after processes started.
  await checkStrategyParams(config, raw);
  const secrets = readSecrets(config);
  registerSecrets(secretValues(secrets));
  const logger = createLogger({
    level: config.general.log_level,
    logDir: config.general.log_dir,
    fileName: logFileName,
    human: process.stderr.isTTY === true && !opts.json,
    stderrLevel: 'warn',
  });
  return { opts, config, raw, secrets, logger };
}
