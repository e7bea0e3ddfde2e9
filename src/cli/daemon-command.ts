import { buildContext } from './context.ts';
import type { GlobalOptions } from './global-options.ts';
import { emitResult } from './output.ts';
import { openStateDb } from '../persistence/state-db.ts';

/** The root command: run the daemon in the configured mode (engine wiring lands with issue 5). */
export async function runDaemonCommand(opts: GlobalOptions): Promise<void> {
  const ctx = buildContext(opts);
  const db = openStateDb(ctx.config.general.state_dir);
  db.close();
  emitResult(opts.json, { mode: ctx.config.general.mode }, `mode ${ctx.config.general.mode}`);
}
