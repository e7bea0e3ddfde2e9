import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { serveSynthetic } from '../../support/fake-bybit/sources.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess as run } from '../../support/cli-process.ts';

const M = 60_000;
const FROM = Date.UTC(2024, 0, 1);

describe('forward mode stops on its own step limit', () => {
  let server: FakeBybitServer;
  const ws = tempWorkspace('ct-fwd-limit-');

  beforeAll(async () => {
    server = await startFakeBybit({ now: FROM + 300 * M + M / 2 });
    serveSynthetic(server, { seed: 3, ids: ['BTCUSDT'], category: 'spot', timeframe: '1m', from: FROM, count: 4000 });
    server.startReplay(1200, 100);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const forward = (extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    run([
      '--mode', 'forward', '--json',
      ...[...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, 'market.symbols=BTC/USDT', 'market.timeframe=1m',
        'strategies.enabled=simple_ma', 'strategies.isolation=process', 'forward.warmup_candles=60'].flatMap((s) => ['--set', s]),
      ...extra,
    ], 90_000);

  const equityRows = (runId: string): number => {
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) n FROM equity WHERE run_id = ?').get(runId) as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('ends completed after forward.max_candles steps, whatever dry_run.max_candles says', async () => {
    const out = await forward(['--set', 'forward.max_candles=12', '--set', 'dry_run.max_candles=4']);
    expect(out.stderr).not.toMatch(/CT_ERR_/);
    expect(out.code).toBe(0);
    const summary = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number };
    expect(summary).toMatchObject({ status: 'completed', steps: 12 });
    expect(equityRows(summary.run_id)).toBe(12);
  }, 120_000);

  it('--max-candles sets forward.max_candles in forward mode (recorded in the run config)', async () => {
    const out = await forward(['--max-candles', '6']);
    expect(out.code).toBe(0);
    const summary = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number };
    expect(summary).toMatchObject({ status: 'completed', steps: 6 });
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    try {
      const { config_snapshot } = db.prepare('SELECT config_snapshot FROM runs WHERE id = ?').get(summary.run_id) as { config_snapshot: string };
      expect(config_snapshot).toMatch(/\[forward\][^[]*max_candles = 6/);
      expect(config_snapshot).toMatch(/\[dry_run\][^[]*max_candles = 0/);
    } finally {
      db.close();
    }
  }, 120_000);
});
