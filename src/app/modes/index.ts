import type { RunMode } from '../../domain/run-mode.ts';
import type { ModeModule } from './mode.ts';

/**
 * The mode modules, loaded on demand: a command pays only for the mode it runs (a backtest never
 * loads the WebSocket feed, `--help` loads none). Adding a mode = its name in RUN_MODES
 * (src/domain/run-mode.ts) and one wiring module here; this record does not compile without it.
 */
const MODES: { readonly [M in RunMode]: () => Promise<ModeModule> } = {
  backtest: async () => (await import('./backtest.ts')).backtestMode,
  'dry-run': async () => (await import('./dry-run.ts')).dryRunMode,
  forward: async () => (await import('./forward.ts')).forwardMode,
  live: async () => (await import('./live.ts')).liveMode,
};

export function loadMode(name: RunMode): Promise<ModeModule> {
  return MODES[name]();
}
