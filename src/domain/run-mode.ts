/**
 * The modes a session runs in (`general.mode`). Each has one wiring module in src/app/modes/
 * that says its candle source, execution adapter, accounting, supervision and end-of-run policy;
 * the config schema, the CLI and the runs table all take their names from this list.
 */
export const RUN_MODES = ['backtest', 'dry-run', 'forward', 'live'] as const;

export type RunMode = (typeof RUN_MODES)[number];

/**
 * What a row of the runs table can be: a session of one of the modes, or a research run
 * (`walkforward`, `rank`) that evaluates many backtests or rankings under one row. Research runs
 * are not a `general.mode`: they are commands of their own.
 */
export const RUN_KINDS = [...RUN_MODES, 'walkforward', 'rank'] as const;

export function isRunMode(s: string): s is RunMode {
  return (RUN_MODES as readonly string[]).includes(s);
}
