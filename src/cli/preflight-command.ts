import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';
import { globalsOf, honours, type GlobalOptions } from './global-options.ts';

/**
 * `preflight [--mode backtest|forward|live] [--strict]`: the checks before a deploy, each printed
 * pass / warn / fail with its reason and fix (--json: one object). Exit 0 when nothing failed, 1
 * when a check failed (with --strict also when one warned), 2 for bad usage or a config that does
 * not load (like every command: the checks need a config to check). A strategy parameter out of
 * range is a failed check (strategies.params), not an exit 2: the config itself loads.
 * docs/preflight.md lists every check. The action loads the checks (src/preflight/) when it runs.
 */
export function registerPreflightCommand(program: Command): void {
  const cmd = program
    .command('preflight')
    .description('check the config, the host, the strategies and (forward/live) the exchange and the API keys before a deploy: pass / warn / fail with reason and fix')
    .option('--strict', 'a warning fails too (exit 1)', false)
    .action(async (o: { strict: boolean }, c: Command) => {
      await runPreflightCommand(globalsOf(c), o.strict);
    });
  honours(cmd, [['mode', 'which checks run: backtest | forward | live (default general.mode)'], 'strategies', 'symbols', 'timeframe', 'market', 'from', 'to']);
}

export async function runPreflightCommand(opts: GlobalOptions, strict: boolean): Promise<void> {
  const [{ existsSync }, { default: dotenv }, { loadConfig }, { readSecrets, secretValues }, { createLogger }, { registerSecrets }, { shorthandSets }, { emitResult }] = await Promise.all([
    import('node:fs'), import('dotenv'), import('../config/load.ts'), import('../config/secrets.ts'), import('../observability/logger.ts'), import('../observability/scrub.ts'), import('./global-options.ts'), import('./output.ts'),
  ]);
  const [{ buildReport, PREFLIGHT_MODES }, { runPreflight }, { reportJson, reportText }] = await Promise.all([import('../preflight/check.ts'), import('../preflight/run-preflight.ts'), import('../preflight/render.ts')]);
  if (existsSync('.env')) dotenv.config({ path: '.env', quiet: true });
  // A config that does not load is bad usage (exit 2); the strategy parameters are checked below, as a check.
  const { config, raw } = loadConfig({ file: opts.config, sets: shorthandSets(opts) });
  const mode = config.general.mode;
  if (!(PREFLIGHT_MODES as readonly string[]).includes(mode)) {
    throw new CtError('CT_ERR_USAGE', `preflight: general.mode = ${mode}: preflight checks a backtest, forward or live deploy; give --mode backtest | forward | live`, { details: { mode } });
  }
  const secrets = readSecrets(config);
  registerSecrets(secretValues(secrets));
  // stderr only: preflight writes nothing into the directories it checks.
  const logger = createLogger({ level: config.general.log_level, human: false, stderrLevel: 'error' });
  const checks = await runPreflight({ config, raw, secrets, mode: mode as 'backtest' | 'forward' | 'live', logger });
  const report = buildReport(mode as 'backtest' | 'forward' | 'live', config.source, strict, checks);
  emitResult(opts.json, reportJson(report), reportText(report));
  if (!report.ok) {
    const failed = checks.filter((c) => c.status === 'fail' || (strict && c.status === 'warn')).map((c) => c.id);
    throw new CtError('CT_ERR_PREFLIGHT_FAILED', `preflight (${mode}): ${failed.length} check(s) ${strict && report.counts.fail === 0 ? 'warned (--strict)' : 'failed'}: ${failed.join(', ')}`, { details: { failed } });
  }
}
