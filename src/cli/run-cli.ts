import { Command, CommanderError } from 'commander';
import { CtError, ERROR_CODES, exitCodeFor, isCtError } from '../core/errors.ts';
import { scrub } from '../observability/scrub.ts';
import { addGlobalOptions, addLeafGlobalOptions, addRunOptions, mergedGlobals } from './global-options.ts';
import { registerConfigCommands } from './config-commands.ts';
import { registerDataCommands } from './data-commands.ts';
import { registerStrategyCommands } from './strategy-commands.ts';
import { registerSweepCommand } from './sweep-command.ts';
import { runDaemonCommand } from './daemon-command.ts';

/**
 * Builds the command tree. The root command runs the daemon in the configured mode; sub-commands
 * (data, strategies, config) slot in beside it. Each command's action returns a JSON-able summary,
 * printed on stdout with --json (logs never go to stdout).
 */
export function buildProgram(): Command {
  const program = new Command('cryptotrader')
    .description('Multi-process crypto trading daemon: one candle loop for backtest, forward (paper) and live trading on Bybit.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(scrub(s)) })
    .enablePositionalOptions()
    .exitOverride();
  addGlobalOptions(program);
  addRunOptions(program);
  program.action(async (_o, cmd: Command) => {
    await runDaemonCommand(mergedGlobals(cmd));
  });
  registerDataCommands(program);
  registerStrategyCommands(program);
  registerSweepCommand(program);
  registerConfigCommands(program);
  // Leaf commands take the global options too (in any position) and exit through our handler.
  const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));
  for (const c of program.commands.flatMap(leaves)) addLeafGlobalOptions(c.exitOverride());
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and returns the process exit code: 0 ok, 2 bad usage/config/input, 1 failure. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

export function reportFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
    // commander already printed its own one-line message; prefix nothing else.
    return 2;
  }
  if (isCtError(e)) {
    process.stderr.write(scrub(`${e.toLine()}\n`));
    return exitCodeFor(e.errorClass);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const wrapped = new CtError('CT_ERR_INTERNAL', `${err.message} (${ERROR_CODES.CT_ERR_INTERNAL.meaning})`);
  process.stderr.write(scrub(`${wrapped.toLine()}\n`));
  if (process.env.CT_DEBUG) process.stderr.write(scrub(`${err.stack ?? ''}\n`));
  return 1;
}
