import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { startFakeBybit } from '../../support/fake-bybit/server.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { admin, FROM, IDS, M } from './forward-fault-run.ts';

const INSTRUMENTS = '/v5/market/instruments-info';

/** `data download` as a real CLI process: one transient error on instruments-info costs one retry with a new request, not the download. */
describe('data download after one transient error on instruments-info', () => {
  for (const fault of [{ kind: 'http_5xx', what: 'a 5xx' }, { kind: 'rate_limit', what: 'a 10006 rate limit' }] as const) {
    it(`data download succeeds after ${fault.what} on instruments-info`, async () => {
      const server = await startFakeBybit({ now: FROM + 3000 * M + M / 2 });
      const ws = tempWorkspace('ct-dl-markets-');
      try {
        for (const [id, cols] of generateSynthetic({ seed: 11, symbols: IDS, timeframe: '1m', from: FROM, count: 5000 })) server.addCandles('spot', id, M, cols);
        await admin(server, 'POST', '/faults', { kind: fault.kind, path: INSTRUMENTS });
        const out = await runCliProcess([
          'data', 'download', '--symbols', 'BTC/USDT', '--timeframe', '1m', '--from', '2024-01-01', '--to', '2024-01-02',
          ...[...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, 'exchange.retry_base_ms=20'].flatMap((s) => ['--set', s]),
        ], 60_000);
        expect(out.code, out.stderr).toBe(0);
        expect(out.stdout).toContain('BTC/USDT 1m spot: +1440 candles');
        expect((await admin(server, 'GET', '/faults')).applied[fault.kind]).toBe(1);
        expect(((await admin(server, 'GET', '/stats')) as { requests: Record<string, number> }).requests[INSTRUMENTS]).toBeGreaterThanOrEqual(6);
      } finally {
        await server.close();
      }
    }, 60_000);
  }
});
