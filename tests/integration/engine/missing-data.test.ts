import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { configWith, tempWorkspace } from '../../support/backtest-env.ts';
import { SPOT_MARKET, writeSyntheticStore } from '../../support/synthetic-store.ts';

async function failure(sets: string[]): Promise<{ code: string; message: string }> {
  const { config, raw } = configWith(sets);
  try {
    await runBacktest({ config, raw, logger: silentLogger() });
  } catch (e) {
    if (isCtError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the backtest did not fail');
}

describe('a backtest whose candles are not in the store', () => {
  it('fails with one line naming the range and the command to fill it when the exchange is unreachable', async () => {
    const ws = tempWorkspace('ct-missing-');
    // Nothing listens on 127.0.0.1:9: every request is refused, as when offline.
    const f = await failure([...ws.sets, 'exchange.rest_url=http://127.0.0.1:9', 'market.symbols=BTC/USDT', 'backtest.from=2023-01-01', 'backtest.to=2023-02-01']);
    expect(f.code).toBe('CT_ERR_DATA_MISSING');
    expect(f.message).toContain('2023-01-01T00:00:00Z..2023-02-01T00:00:00Z');
    expect(f.message).toContain('data download --symbols BTC/USDT --timeframe 1h');
    expect(f.message).toContain('data import --csv FILE --symbol BTC/USDT');
    expect(f.message.split('\n')).toHaveLength(1);
  });

  it('points at the same series stored under another exchange instead of downloading', async () => {
    const ws = tempWorkspace('ct-missing-');
    // BTC/USDT 1h is in the store, under the exchange name "synthetic"; the run asks for bybit's
    await writeSyntheticStore(ws.dataDir, SPOT_MARKET);
    const f = await failure([...ws.sets, 'exchange.rest_url=http://127.0.0.1:9', 'market.symbols=BTC/USDT', 'backtest.from=2023-01-01', 'backtest.to=2023-02-01']);
    expect(f.code).toBe('CT_ERR_DATA_MISSING');
    expect(f.message).toContain('the store has BTC/USDT 1h from synthetic: use --set backtest.data_exchange=synthetic');
  });
});
