import { shorthandSets, type GlobalOptions } from '../global-options.ts';
import { runModeOf, type ConsoleMode } from './mode-choice.ts';
import { CONSOLE_WIDTH, shellWord, wrapCommand } from './text-fit.ts';

/** What the operator chose at the prompts. */
export interface ConsoleChoices {
  readonly mode: ConsoleMode;
  readonly strategies: readonly string[];
  /** `strategy.<id>.<name>=<value>` for every parameter changed from the base config. */
  readonly params: readonly string[];
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** Backtest range, YYYY-MM-DD (to exclusive). */
  readonly from?: string;
  readonly to?: string;
}

/**
 * The command-line options that run the choices: the options the console was started with (its
 * base: --config, --set, --isolation, ...) with the choices on top, as the shorthand flags and
 * --set overrides a user would type. The console runs exactly these through the command line's
 * own daemon command, so the two can never differ.
 */
export function optionsFor(base: GlobalOptions, c: ConsoleChoices, confirmLive: boolean): GlobalOptions {
  const { mode, sets } = runModeOf(c.mode);
  const { interactive: _i, dryRun: _d, from: _f, to: _t, ...rest } = base;
  return {
    ...rest,
    mode,
    strategies: c.strategies.join(','),
    symbols: c.symbols.join(','),
    timeframe: c.timeframe,
    ...(mode === 'backtest' ? { from: c.from, to: c.to } : {}),
    set: [...base.set, ...sets, ...c.params],
    ...(confirmLive ? { confirmLive: true } : {}),
  };
}

const FLAGS: ReadonlyArray<readonly [keyof GlobalOptions, string]> = [
  ['mode', '--mode'], ['strategies', '--strategies'], ['symbols', '--symbols'], ['timeframe', '--timeframe'],
  ['from', '--from'], ['to', '--to'], ['market', '--market'], ['isolation', '--isolation'], ['maxCandles', '--max-candles'],
  ['speed', '--speed'], ['seed', '--seed'], ['logLevel', '--log-level'],
];
const SWITCHES: ReadonlyArray<readonly [keyof GlobalOptions, string]> = [
  ['confirmLive', '--confirm-live'], ['newAccount', '--new-account'], ['skipPreflight', '--skip-preflight'], ['json', '--json'],
];

/**
 * The equivalent command (`npx tsx main.ts ...`) as units a shell reads: each word, or a flag with
 * its (quoted) value, so that a wrapped line never separates the two.
 */
export function commandUnits(o: GlobalOptions): string[] {
  const units = ['npx tsx main.ts'];
  if (o.config !== 'config/config.ini') units.push(`--config ${shellWord(o.config)}`);
  for (const [k, flag] of FLAGS) {
    const v = o[k];
    if (typeof v === 'string') units.push(`${flag} ${shellWord(v)}`);
  }
  for (const [k, flag] of SWITCHES) if (o[k] === true) units.push(flag);
  for (const s of o.set) units.push(`--set ${shellWord(s)}`);
  return units;
}

/** The equivalent command on one line. */
export function commandLine(o: GlobalOptions): string {
  return commandUnits(o).join(' ');
}

/** The equivalent command wrapped into lines of at most `width` columns. */
export function commandLineText(o: GlobalOptions, width = CONSOLE_WIDTH): string[] {
  return wrapCommand(commandUnits(o), width);
}

/**
 * The config overrides the command makes, `section.key=value`, in the order the daemon command
 * applies them: the shorthands, then those whose key depends on the mode (its step limit, the
 * dry-run's synthetic symbols).
 */
export function overridesOf(o: GlobalOptions, mode: { maxCandlesKey?: string; symbolsKey?: string }): string[] {
  const sets = shorthandSets(o);
  if (o.maxCandles !== undefined && mode.maxCandlesKey !== undefined) sets.push(`${mode.maxCandlesKey}=${o.maxCandles}`);
  if (o.symbols !== undefined && mode.symbolsKey !== undefined) sets.push(`${mode.symbolsKey}=${o.symbols}`);
  return sets;
}
