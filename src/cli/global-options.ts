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

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file', 'config/config.ini')
    .option('--mode <mode>', 'override general.mode: backtest | forward | live')
    .option('--set <section.key=value>', 'override any config key (repeatable), validated like the file', collect, [])
    .option('--json', 'print one machine-readable JSON summary on stdout when the command ends', false)
    .option('--log-level <level>', 'override general.log_level');
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run', 'run the whole daemon on the seeded synthetic stream with paper execution (no network)')
    .option('--max-candles <n>', 'dry-run/forward: stop after N candle steps (dry_run.max_candles)')
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

/** Turns shorthand flags into `--set` overrides, in a fixed order, after the explicit --set ones. */
export function shorthandSets(o: GlobalOptions): string[] {
  const sets = [...o.set];
  const add = (key: string, v: string | undefined): void => {
    if (v !== undefined) sets.push(`${key}=${v}`);
  };
  add('general.mode', o.mode);
  add('general.log_level', o.logLevel);
  add('dry_run.max_candles', o.maxCandles);
  add('dry_run.speed', o.speed);
  add('dry_run.seed', o.seed);
  add('strategies.enabled', o.strategies);
  add('market.symbols', o.symbols);
  if (o.dryRun && o.symbols !== undefined) add('dry_run.symbols', o.symbols);
  add('market.timeframe', o.timeframe);
  add('exchange.market', o.market);
  add('backtest.from', o.from);
  add('backtest.to', o.to);
  add('strategies.isolation', o.isolation);
  return sets;
}
