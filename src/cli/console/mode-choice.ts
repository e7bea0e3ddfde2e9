import type { Config } from '../../config/schema.ts';
import type { RunMode } from '../../domain/run-mode.ts';
import type { Choice } from './prompter.ts';

/**
 * The five ways to run that the console offers. Forward is one mode with two executions (paper,
 * or orders on Bybit's demo account), so a choice is a run mode plus the overrides it implies.
 */
export type ConsoleMode = 'backtest' | 'dry-run' | 'forward-paper' | 'forward-demo' | 'live';

export const MODE_CHOICES: ReadonlyArray<Choice<ConsoleMode>> = [
  { value: 'backtest', name: 'backtest: replay stored candles, write a report' },
  { value: 'dry-run', name: 'dry-run: the whole daemon on a seeded synthetic stream' },
  { value: 'forward-paper', name: 'forward, paper: live Bybit candles, simulated fills' },
  { value: 'forward-demo', name: 'forward on Bybit demo: real orders on the demo account' },
  { value: 'live', name: 'live: REAL orders on the real account' },
];

/** The choice the config describes (general.mode, and forward.execution for forward). */
export function modeOfConfig(c: Config): ConsoleMode {
  switch (c.general.mode) {
    case 'forward':
      return c.forward.execution === 'bybit_demo' ? 'forward-demo' : 'forward-paper';
    default:
      return c.general.mode;
  }
}

/** The run mode of a choice and the overrides it implies. */
export function runModeOf(m: ConsoleMode): { mode: RunMode; sets: string[] } {
  switch (m) {
    case 'forward-paper':
      return { mode: 'forward', sets: ['forward.execution=paper'] };
    case 'forward-demo':
      return { mode: 'forward', sets: ['forward.execution=bybit_demo'] };
    default:
      return { mode: m, sets: [] };
  }
}

/** Whether a choice reads candles from the exchange (its symbols are the exchange's instruments). */
export function usesExchange(m: ConsoleMode): boolean {
  return m === 'forward-paper' || m === 'forward-demo' || m === 'live';
}
