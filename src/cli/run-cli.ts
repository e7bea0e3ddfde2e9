import { Command, CommanderError } from 'commander';
import { stopCauseOf, watchLauncher, type StopHold } from '../app/process-stop.ts';
import { CtError, ERROR_CODES, exitCodeFor, isCtError } from '../core/errors.ts';
import { scrub } from '../observability/scrub.ts';
import { ConsoleCancelled } from './console/cancelled.ts';
import { addGlobalOptions, CliHelp, globalsOf, refuseUnusedGlobals } from './global-options.ts';
import { registerConfigCommands } from './config-commands.ts';
import { registerDataCommands } from './data-commands.ts';
import { registerPreflightCommand } from './preflight-command.ts';
import { registerRankCommand } from './rank-command.ts';
import { registerRunsCommand } from './runs-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerStrategyCommands } from './strategy-commands.ts';
import { registerSweepCommand } from './sweep-command.ts';
import { packageVersion } from './version.ts';
import { registerWalkforwardCommand } from './walkforward-command.ts';

/** Commander's Command with our help (only the global options a sub-command honours) on every sub-command. */
class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  override createHelp(): CliHelp {
    return Object.assign(new CliHelp(), this.configureHelp());
  }
}

/**
 * Builds the command tree. The root command runs the daemon in the configured mode; sub-commands
 * (data, strategies, sweep, runs, config) slot in beside it. Each command's action returns a JSON-able
 * summary, printed on stdout with --json (logs never go to stdout).
 *
 * Start-up cost: this module and the register* modules import only commander and small helpers;
 * every action imports what it needs when it runs (`await import(...)`), so `--help` or
 * `config check` never load ccxt, piscina, ws or the Parquet libraries.
 */
export function buildProgram(stops?: StopHold): Command {
  const program = new CliCommand('cryptotrader')
    .description('Multi-process crypto trading daemon: one candle loop for backtest, forward (paper) and live trading on Bybit.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(scrub(s)) })
    .exitOverride();
  addGlobalOptions(program);
  program.hook('preAction', (_root, actionCommand) => {
    refuseUnusedGlobals(actionCommand);
    if (stops !== undefined) keepStopsFor(actionCommand === program || actionCommand.name() === 'sweep', stops);
  });
  program.action(async (_o, cmd: Command) => {
    const globals = globalsOf(cmd);
    if (globals.interactive === true) {
      // The console asks for the run, taking the other options given as its defaults.
      const { runConsole } = await import('./console/run-console.ts');
      await runConsole(globals);
      return;
    }
    const { runDaemonCommand } = await import('./daemon-command.ts');
    await runDaemonCommand(globals);
  });
  registerDataCommands(program);
  registerStrategyCommands(program);
  registerSweepCommand(program);
  registerWalkforwardCommand(program);
  registerRankCommand(program);
  registerRunsCommand(program);
  registerConfigCommands(program);
  registerPreflightCommand(program);
  registerServeCommand(program);
  return program;
}

/**
 * The commands that run sessions (the daemon in any mode, sweep) end their runs `interrupted` on
 * SIGINT/SIGTERM and stop when their launcher exits: they keep the stop request main.ts took.
 * Every other command gives it back, so Ctrl-C ends it the usual way, also when it came during
 * start-up: that signal is raised again, now without a handler.
 */
function keepStopsFor(runsSessions: boolean, stops: StopHold): void {
  if (runsSessions) {
    watchLauncher();
    return;
  }
  stops.release();
  const cause = stopCauseOf(stops.signal);
  if (cause?.kind === 'signal') process.kill(process.pid, cause.signal);
}

/**
 * Runs the CLI and returns the process exit code: 0 ok (a run that was interrupted included),
 * 2 bad usage/config/input (and a second daemon on a state dir), 1 failure, 130 the console left
 * with Ctrl-C at a prompt.
 */
export async function runCli(argv: string[], stops?: StopHold): Promise<number> {
  const program = buildProgram(stops);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

export function reportFailure(e: unknown): number {
  if (e instanceof ConsoleCancelled) {
    process.stderr.write(`${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
    // commander already printed its own one-line message; prefix nothing else.
    return 2;
  }
  if (isCtError(e)) {
    process.stderr.write(scrub(`${e.toLine()}\n`));
    return exitCodeFor(e.errorClass, e.code);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const wrapped = new CtError('CT_ERR_INTERNAL', `${err.message} (${ERROR_CODES.CT_ERR_INTERNAL.meaning})`);
  process.stderr.write(scrub(`${wrapped.toLine()}\n`));
  if (process.env.CT_DEBUG) process.stderr.write(scrub(`${err.stack ?? ''}\n`));
  return 1;
}
