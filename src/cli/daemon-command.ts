import { CtError } from '../core/errors.ts';
import { requireSecrets } from '../config/secrets.ts';
import { buildContext } from './context.ts';
import type { GlobalOptions } from './global-options.ts';
import { emitResult } from './output.ts';

/**
 * The root command: run the daemon. `--dry-run` runs the whole daemon on the synthetic stream;
 * otherwise general.mode decides: backtest (store replay), forward (live candles, paper), live.
 */
export async function runDaemonCommand(opts: GlobalOptions): Promise<void> {
  if (opts.dryRun) {
    const ctx = await buildContext(opts, 'dry-run.log', ['general.mode=forward']);
    const { runDryRun } = await import('../app/run-dry-run.ts');
    const r = await runDryRun({ config: ctx.config, raw: ctx.raw, logger: ctx.logger });
    const text = [
      `dry-run ${r.runId} ${r.status}: ${r.steps} steps, ${r.candles} candles, ${r.signals} signals (${r.approved} approved, ${r.denied} denied), ${r.fills} fills`,
      `final equity ${r.finalEquity.toFixed(2)}, ${r.openPositions} open positions; state in ${ctx.config.general.state_dir}/trading.db`,
    ].join('\n');
    emitResult(opts.json, { run_id: r.runId, ...r }, text);
    return;
  }
  const ctx = await buildContext(opts, 'cryptotrader.log');
  const mode = ctx.config.general.mode;
  if (mode === 'backtest') {
    const { runBacktest } = await import('../app/run-backtest.ts');
    const r = await runBacktest({ config: ctx.config, raw: ctx.raw, logger: ctx.logger });
    emitResult(opts.json, r.summary, `${r.table}\nresults: ${r.resultsDir}`);
    return;
  }
  if (mode === 'live') {
    if (!ctx.config.live.confirm || !opts.confirmLive) {
      throw new CtError('CT_ERR_LIVE_NOT_CONFIRMED', `live mode places real orders: set [live] confirm = true in ${ctx.config.source} AND pass --confirm-live`);
    }
    requireSecrets(ctx.config, ctx.secrets, 'live mode');
    throw new CtError('CT_ERR_USAGE', 'live mode: the live Bybit execution adapter is not part of this version yet; use --mode forward (paper) or --dry-run');
  }
  if (ctx.config.forward.execution === 'bybit_demo') requireSecrets(ctx.config, ctx.secrets, 'forward mode with execution = bybit_demo');
  const { runForward } = await import('../app/run-forward.ts');
  const r = await runForward({ config: ctx.config, raw: ctx.raw, logger: ctx.logger });
  emitResult(opts.json, { run_id: r.runId, ...r }, `forward ${r.runId} ${r.status}: ${r.steps} steps, ${r.fills} fills, equity ${r.finalEquity.toFixed(2)}`);
}
