import { loadConfig } from '../config/load.ts';
import { CtError } from '../core/errors.ts';
import { isRunMode, type RunMode } from '../domain/run-mode.ts';
import type { ModeModule, ModeReport } from '../app/modes/mode.ts';
import { buildContext } from './context.ts';
import { shorthandSets, type GlobalOptions } from './global-options.ts';
import { emitResult, operatorText } from './output.ts';

/**
 * The root command: run the daemon in the chosen mode (`--dry-run` is `--mode dry-run`; otherwise
 * --mode, else general.mode). The mode module does the rest, its own rules included (live
 * confirmation, forward execution); it is imported only here, so `--help` loads no engine.
 * Returns the mode's report (the console shows where a backtest's results are).
 */
export async function runDaemonCommand(opts: GlobalOptions): Promise<ModeReport> {
  const name = chosenMode(opts);
  const { loadMode } = await import('../app/modes/index.ts');
  const mode = await loadMode(name);
  if (opts.newAccount === true && mode.resumable !== true) {
    throw new CtError('CT_ERR_USAGE', `--new-account: ${mode.name} mode has no account to resume or start afresh (it applies to forward mode)`, { details: { option: '--new-account', mode: mode.name } });
  }
  if (opts.skipPreflight === true && mode.preflightAtStart !== true) {
    throw new CtError('CT_ERR_USAGE', `--skip-preflight: a ${mode.name} run has no preflight at its start to skip (forward and live starts have one)`, { details: { option: '--skip-preflight', mode: mode.name } });
  }
  const ctx = await buildContext(opts, mode.logFile, [...(opts.dryRun ? ['general.mode=dry-run'] : []), ...modeShorthands(mode, opts)]);
  const out = await mode.run({ config: ctx.config, raw: ctx.raw, logger: ctx.logger, secrets: ctx.secrets, confirmLive: opts.confirmLive === true, newAccount: opts.newAccount === true, skipPreflight: opts.skipPreflight === true, say: operatorText(opts.json) });
  emitResult(opts.json, out.json, out.text);
  return out;
}

function chosenMode(opts: GlobalOptions): RunMode {
  if (opts.dryRun) {
    if (opts.mode !== undefined && opts.mode !== 'dry-run') {
      throw new CtError('CT_ERR_USAGE', `--dry-run is --mode dry-run: it cannot be combined with --mode ${opts.mode}`);
    }
    return 'dry-run';
  }
  if (opts.mode !== undefined && isRunMode(opts.mode)) return opts.mode;
  // general.mode from the file and --set (an unknown --mode fails here, naming the allowed values).
  return loadConfig({ file: opts.config, sets: shorthandSets(opts) }).config.general.mode;
}

/** The run shorthands whose key depends on the mode: --max-candles, and --symbols of a synthetic stream. */
function modeShorthands(mode: ModeModule, opts: GlobalOptions): string[] {
  const sets: string[] = [];
  if (opts.maxCandles !== undefined) {
    if (mode.maxCandlesKey === undefined) {
      throw new CtError('CT_ERR_USAGE', `--max-candles ${opts.maxCandles}: ${mode.name} mode has no step limit (it sets dry_run.max_candles in dry-run mode and forward.max_candles in forward mode)`);
    }
    sets.push(`${mode.maxCandlesKey}=${opts.maxCandles}`);
  }
  if (opts.symbols !== undefined && mode.symbolsKey !== undefined) sets.push(`${mode.symbolsKey}=${opts.symbols}`);
  return sets;
}
