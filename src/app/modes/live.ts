import { requireSecrets } from '../../config/secrets.ts';
import { CtError } from '../../core/errors.ts';
import type { ModeModule } from './mode.ts';

/**
 * Live: real orders on Bybit. It needs two confirmations — `[live] confirm = true` in the config
 * file AND `--confirm-live` on the command line — and the API credentials, checked in that order
 * before anything starts (no request of any kind is made without them). Then the exchange-backed
 * wiring (./exchange-run.ts) trades the real account `live.account`, resumed and reconciled like
 * a demo account, after printing the account, the symbols and the risk limits.
 */
export const liveMode: ModeModule = {
  name: 'live',
  logFile: 'cryptotrader.log',
  maxCandlesKey: 'live.max_candles',
  resumable: true,
  preflightAtStart: true,
  async run(inp) {
    const { config, secrets, confirmLive } = inp;
    if (!config.live.confirm || !confirmLive) {
      const missing = [!config.live.confirm ? `[live] confirm = true in ${config.source}` : '', !confirmLive ? '--confirm-live on the command line' : ''].filter((x) => x !== '').join(' and ');
      throw new CtError('CT_ERR_LIVE_NOT_CONFIRMED', `live mode places real orders: it needs [live] confirm = true in ${config.source} AND --confirm-live; missing: ${missing}`);
    }
    requireSecrets(config, secrets, 'live mode');
    const { runOnExchange } = await import('./exchange-run.ts');
    const r = await runOnExchange(inp, 'live', 'bybit_live');
    return { json: { run_id: r.runId, ...r }, text: `live ${r.runId} ${r.status}: ${r.steps} steps, ${r.fills} fills, equity ${r.finalEquity.toFixed(2)}\nresults: ${r.resultsDir}` };
  },
};
