import { requireSecrets } from '../../config/secrets.ts';
import { CtError } from '../../core/errors.ts';
import type { ModeModule } from './mode.ts';

/**
 * Live: real orders on Bybit. It needs two confirmations — `[live] confirm = true` in the config
 * file AND `--confirm-live` on the command line — and the API credentials, checked in that order
 * before anything starts. The live Bybit execution adapter is not part of this version, so once
 * confirmed the run is refused with a clear message; when it lands, this module wires the live
 * feed, that adapter, durable accounting and supervised hosts into the session like forward does.
 */
export const liveMode: ModeModule = {
  name: 'live',
  logFile: 'cryptotrader.log',
  async run({ config, secrets, confirmLive }) {
    if (!config.live.confirm || !confirmLive) {
      throw new CtError('CT_ERR_LIVE_NOT_CONFIRMED', `live mode places real orders: set [live] confirm = true in ${config.source} AND pass --confirm-live`);
    }
    requireSecrets(config, secrets, 'live mode');
    throw new CtError('CT_ERR_USAGE', 'live mode: the live Bybit execution adapter is not part of this version yet; use --mode forward (paper) or --mode dry-run');
  },
};
