import type { Command } from 'commander';

/** Options every command understands. Shorthands become `--set` overrides (validated like the file). */
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
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file', 'config/config.ini')
    .option('--mode <mode>', 'override general.mode: backtest | dry-run | forward | live')
    .option('--set <section.key=value>', 'override any config key (repeatable), validated like the file', collect, [])
    .option('--json', 'print one machine-readable JSON summary on stdout when the command ends', false)
    .option('--log-level <level>', 'override general.log_level');
}

/**
 * The global options again, without defaults, for leaf commands, so that `data list --config x`
 * works as well as `--config x data list` (the root uses positional options so that its run
 * options like --timeframe do not swallow a sub-command's own).
 */
export function addLeafGlobalOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: config/config.ini)')
    .option('--set <section.key=value>', 'override any config key (repeatable)', collect)
    .option('--json', 'print one machine-readable JSON summary on stdout')
    .option('--log-level <level>', 'override general.log_level');
}

/** Merges the global options of a command and its ancestors: the nearest explicit value wins; --set lists add up. */
export function mergedGlobals(cmd: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const c of chain) {
    const o = c.opts() as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'set') sets.push(...((v as string[] | undefined) ?? []));
      else if (v !== undefined) out[k] = v;
    }
  }
  out.set = sets;
  out.config ??= 'config/config.ini';
  out.json ??= false;
  return out as unknown as GlobalOptions;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
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
    .option('--confirm-live', 'required together with live.confirm = true to place real orders');
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
