import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { serveSynthetic } from '../../support/fake-bybit/sources.ts';
import { csvRows, tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess as run } from '../../support/cli-process.ts';
import { query } from '../../support/daemon-process.ts';
import { setArgs } from './cli-env.ts';

const M = 60_000;
const FROM = Date.UTC(2024, 0, 1);

describe('a forward run in the operator view', () => {
  let server: FakeBybitServer;
  const ws = tempWorkspace('ct-runs-fwd-');

  beforeAll(async () => {
    server = await startFakeBybit({ now: FROM + 300 * M + M / 2 });
    serveSynthetic(server, { seed: 3, ids: ['BTCUSDT'], category: 'spot', timeframe: '1m', from: FROM, count: 4000 });
    server.startReplay(1200, 100);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const forward = (): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    run([
      '--mode', 'forward', '--json', '--max-candles', '12',
      ...setArgs([...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, 'market.symbols=BTC/USDT', 'market.timeframe=1m',
        'strategies.enabled=simple_ma', 'strategies.isolation=process', 'forward.warmup_candles=60', 'forward.account=desk_a']),
    ], 90_000);

  it('writes results/<run-id>/ when it stops, and runs / runs show report it with its account and the resumed chain', async () => {
    const a = await forward();
    expect(a.stderr).not.toMatch(/CT_ERR_/);
    expect(a.code).toBe(0);
    const first = JSON.parse(a.stdout.trim().split('\n').at(-1)!) as { run_id: string; steps: number; fills: number; resultsDir: string };
    expect(readdirSync(first.resultsDir).sort()).toEqual(['config.ini', 'equity.csv', 'fills.csv', 'metrics.json', 'report.txt', 'trades.csv']);
    expect(csvRows(readFileSync(join(first.resultsDir, 'equity.csv'), 'utf8'))).toHaveLength(first.steps);
    expect(csvRows(readFileSync(join(first.resultsDir, 'fills.csv'), 'utf8'))).toHaveLength(first.fills);

    // The next start resumes the account: its report counts returns from where the first run left it.
    const b = await forward();
    expect(b.code).toBe(0);
    const second = JSON.parse(b.stdout.trim().split('\n').at(-1)!) as { run_id: string };

    const list = await run(['runs', '--json', '--account', 'desk_a', ...setArgs(ws.sets)], 60_000);
    expect(list.code).toBe(0);
    const rows = (JSON.parse(list.stdout) as { runs: Array<{ id: string; mode: string; status: string; account: string; resumed_from: string | null }> }).runs;
    expect(rows.map((r) => [r.id, r.mode, r.status, r.account, r.resumed_from])).toEqual([
      [second.run_id, 'forward', 'completed', 'desk_a', first.run_id],
      [first.run_id, 'forward', 'completed', 'desk_a', null],
    ]);

    const show = await run(['runs', 'show', second.run_id, '--json', ...setArgs(ws.sets)], 60_000);
    expect(show.code).toBe(0);
    const s = JSON.parse(show.stdout) as { initial_cash: number; metrics: unknown; results_dir: string };
    const carried = query<{ equity: number }>(ws.stateDb, 'SELECT equity FROM equity WHERE run_id = ? ORDER BY ts DESC LIMIT 1', first.run_id)[0]!.equity;
    expect(s.initial_cash).toBe(carried);
    expect(s.results_dir).toBe(join(ws.root, 'results', second.run_id));
    expect(s.metrics).toEqual(JSON.parse(readFileSync(join(s.results_dir, 'metrics.json'), 'utf8')));
  }, 200_000);
});
