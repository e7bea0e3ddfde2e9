import { Help, type Command, type Option } from 'commander';
import { CtError } from '../core/errors.ts';
import { parseDateMs } from '../core/time.ts';

/**
 * The global options: defined ONCE, on the root command, and read with commander's own
 * `optsWithGlobals()`. The root does not use positional options, so commander recognises a global
 * option before or after any sub-command and it means the same in every position:
 * `--from 2023-01-01 sweep` and `sweep --from 2023-01-01` are one command line.
 *
 * Each command declares which global options it honours (`honours`); a global option given to a
 * command that does not use it exits 2 naming both, instead of being silently ignored.
 */
export interface GlobalOptions {
  config: string;
  mode?: string;
  set: string[];
  json: boolean;
  logLevel?: string;
  dryRun?: boolean;
  maxCandles?: string;
  speed?: string;
  strategies?: string;
  symbols?: string;
  timeframe?: string;
  from?: string;
  to?: string;
  isolation?: string;
  market?: string;
  seed?: string;
  confirmLive?: boolean;
  newAccount?: boolean;
  interactive?: boolean;
  skipPreflight?: boolean;
}

export type GlobalName = Exclude<keyof GlobalOptions, 'config' | 'set' | 'json' | 'logLevel'>;

/** Options every command takes (config file, overrides, output), so they are never refused. */
const COMMON = new Set(['config', 'set', 'json', 'logLevel']);

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function addGlobalOptions(program: Command): Command {
  return program
    .option('-c, --config <file>', 'config file', 'config/config.ini')
    .option('--set <section.key=value>', 'override any config key (repeatable), validated like the file', collect, [])
    .option('--json', 'print one machine-readable JSON summary on stdout when the command ends', false)
    .option('--log-level <level>', 'override general.log_level')
    .option('--mode <mode>', 'override general.mode: backtest | dry-run | forward | live')
    .option('--dry-run', 'same as --mode dry-run: the whole daemon on the seeded synthetic stream with paper execution (no network)')
    .option('--max-candles <n>', 'stop after N candle steps: dry_run.max_candles in dry-run mode, forward.max_candles in forward mode')
    .option('--speed <x>', 'dry-run: candle steps per second, 0 = as fast as possible (dry_run.speed)')
    .option('--seed <n>', 'dry-run: synthetic stream seed (dry_run.seed)')
    .option('--strategies <ids>', 'comma list of strategy ids (strategies.enabled)')
    .option('--symbols <list>', 'comma list of ccxt symbols (market.symbols)')
    .option('--timeframe <tf>', 'candle timeframe (market.timeframe)')
    .option('--market <spot|linear>', 'exchange.market')
    .option('--from <date>', 'backtest start, YYYY-MM-DD (backtest.from)')
    .option('--to <date>', 'backtest end, exclusive, YYYY-MM-DD (backtest.to)')
    .option('--isolation <mode>', 'process | worker | inline (strategies.isolation)')
    .option('--confirm-live', 'required together with live.confirm = true to place real orders')
    .option('--new-account', 'forward: start forward.account afresh instead of resuming it (its latest run is marked abandoned)')
    .option('-i, --interactive', 'the operator console: choose the mode, strategies, parameters, symbols and range at prompts, then run (needs a terminal)')
    .option('--skip-preflight', 'forward/live: start even when a fatal preflight check fails (logged at warn)');
}

/** Global option name -> what it means for this command (undefined = the root's description). */
const honoured = new WeakMap<Command, Map<string, string | undefined>>();

/**
 * Declares the global options a command uses, optionally with what each one means there (shown in
 * its --help). Options not declared are refused for this command.
 */
export function honours(cmd: Command, names: ReadonlyArray<GlobalName | readonly [GlobalName, string]>): Command {
  const m = new Map<string, string | undefined>();
  for (const n of names) {
    if (typeof n === 'string') m.set(n, undefined);
    else m.set(n[0], n[1]);
  }
  honoured.set(cmd, m);
  return cmd;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.length === 0 ? cmd.name() : names.join(' ');
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** Every command below `c` (a command with sub-commands may run too: `runs` beside `runs show`). */
function descendants(c: Command): Command[] {
  return c.commands.flatMap((x) => [x, ...descendants(x)]);
}

/** True for the root command (the daemon), which honours every global option. */
function honoursAll(cmd: Command): boolean {
  return cmd.parent === null;
}

function isHonoured(cmd: Command, name: string): boolean {
  return COMMON.has(name) || honoursAll(cmd) || honoured.get(cmd)?.has(name) === true;
}

/**
 * preAction hook: refuses a global option given on the command line that the running command does
 * not use, e.g. `--isolation worker data list`: `--isolation does not apply to "data list"`.
 */
export function refuseUnusedGlobals(actionCommand: Command): void {
  const root = rootOf(actionCommand);
  for (const opt of root.options) {
    const name = opt.attributeName();
    if (root.getOptionValueSource(name) !== 'cli' || isHonoured(actionCommand, name)) continue;
    const users = [root, ...descendants(root)].filter((c) => isHonoured(c, name)).map((c) => (c === root ? `${root.name()} (run)` : commandPath(c)));
    throw new CtError('CT_ERR_USAGE', `${opt.long} does not apply to "${commandPath(actionCommand)}" (it is used by: ${users.join(', ')})`, {
      details: { option: opt.long, command: commandPath(actionCommand) },
    });
  }
}

/** The global options as the running command sees them (commander's merge of the command and its ancestors). */
export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Partial<GlobalOptions>;
  return { ...o, config: o.config ?? 'config/config.ini', set: o.set ?? [], json: o.json === true } as GlobalOptions;
}

/** Only the options that every command takes: the config file, --set, --log-level and --json. */
export function commonGlobals(o: GlobalOptions): GlobalOptions {
  return { config: o.config, set: o.set, json: o.json, logLevel: o.logLevel };
}

/**
 * Help for sub-commands: the global options a sub-command honours are listed with its own options
 * (each with what it means there), the ones every command takes under "Global Options", and the
 * ones it refuses not at all.
 */
export class CliHelp extends Help {
  constructor() {
    super();
    this.showGlobalOptions = true;
  }

  private honouredGlobals(cmd: Command, common: boolean): Option[] {
    const root = rootOf(cmd);
    const meaning = honoured.get(cmd);
    return root.options
      .filter((o) => !o.hidden && COMMON.has(o.attributeName()) === common && isHonoured(cmd, o.attributeName()))
      .map((o) => {
        const d = meaning?.get(o.attributeName());
        if (d === undefined) return o;
        const copy = Object.assign(Object.create(Object.getPrototypeOf(o) as object) as Option, o);
        copy.description = d;
        return copy;
      });
  }

  override visibleOptions(cmd: Command): Option[] {
    const own = super.visibleOptions(cmd);
    if (cmd.parent === null) return own;
    const help = own.filter((o) => o.long === '--help');
    return [...own.filter((o) => o.long !== '--help'), ...this.honouredGlobals(cmd, false), ...help];
  }

  override visibleGlobalOptions(cmd: Command): Option[] {
    return cmd.parent === null ? [] : this.honouredGlobals(cmd, true);
  }
}

/**
 * Turns shorthand flags into `--set` overrides, in a fixed order, after the explicit --set ones.
 * Shorthands whose key depends on the mode (--max-candles, --symbols of the dry-run) are added by
 * the daemon command once the mode is known.
 */
export function shorthandSets(o: GlobalOptions): string[] {
  const sets = [...o.set];
  const add = (key: string, v: string | undefined): void => {
    if (v !== undefined) sets.push(`${key}=${v}`);
  };
  // Checked here so the message names the flag the user typed (and why the date is impossible).
  if (o.from !== undefined) parseDateMs(o.from, '--from');
  if (o.to !== undefined) parseDateMs(o.to, '--to');
  add('general.mode', o.mode);
  add('general.log_level', o.logLevel);
  add('dry_run.speed', o.speed);
  add('dry_run.seed', o.seed);
  add('strategies.enabled', o.strategies);
  add('market.symbols', o.symbols);
  add('market.timeframe', o.timeframe);
  add('exchange.market', o.market);
  add('backtest.from', o.from);
  add('backtest.to', o.to);
  add('strategies.isolation', o.isolation);
  return sets;
}
