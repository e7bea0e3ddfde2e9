import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeReaders, readDb, startDaemon, until } from '../../support/forward-daemon.ts';
import type { FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { accountBook, ExchangeRuns, setArgs, startExchangeFake, withDb } from '../../support/exchange-runs.ts';

/**
 * What an exchange-backed run does with what it did not place, and with the real account: foreign
 * positions at start, drift while running, live mode's confirmations, spot leverage; against the
 * fake Bybit server's private API (real CLI processes, real SQLite, the real private stream).
 * Each case trades its own exchange account.
 */

const KEYS = {
  foreign: { apiKey: 'KEYfrgn8c0e2g4i6', secret: 'SECfrgn0p9o8i7u6y5t4r3e2w' },
  live: { apiKey: 'KEYlive3d5f7h9j1', secret: 'SEClive5g6h7j8k9l0z1x2c3v' },
  drift: { apiKey: 'KEYdrft6f8h0j2l4', secret: 'SECdrft7h8j9k0l1m2n3b4v5c' },
};
const FAST_MA = ['strategies.enabled=simple_ma', 'strategy.simple_ma.fast=2', 'strategy.simple_ma.slow=4'];
const SYMBOLS = 'market.symbols=BTC/USDT:USDT,ETH/USDT:USDT';

describe('reconciliation and live mode on a Bybit account (the fake exchange)', () => {
  let server: FakeBybitServer;
  const cli = new ExchangeRuns(() => server);
  const run = cli.run.bind(cli);
  const space = cli.space.bind(cli);
  const expectFillsEqualExecutions = cli.expectFillsEqualExecutions.bind(cli);

  beforeAll(async () => {
    server = await startExchangeFake({ symbols: ['BTCUSDT', 'ETHUSDT'], accounts: [{ ...KEYS.foreign, demo: true }, { ...KEYS.drift, demo: true }, KEYS.live], speed: 240 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports a position it did not open and leaves it alone, or stops the start with the diff and exit 3', async () => {
    const admin = await fetch(`${server.adminUrl}/accounts/${KEYS.foreign.apiKey}/positions`, { method: 'POST', body: JSON.stringify({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', qty: 0.5 }) });
    expect(admin.status).toBeLessThan(300);
    const ws = space(KEYS.foreign, [SYMBOLS, ...FAST_MA]);
    const creates = server.requestsTo('/v5/order/create').length;
    const stopped = await run(ws, ['--set', 'live.on_foreign_position=stop', '--max-candles', '3']);
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stdout).toMatch(/X foreign_position +ETH\/USDT:USDT: the exchange holds 0\.5, 0\.5 of it not placed by this daemon/);
    expect(stopped.stderr).toContain('CT_ERR_FOREIGN_POSITION');
    expect(server.requestsTo('/v5/order/create').length, 'no order was sent').toBe(creates);
    const ignored = await run(ws, ['--max-candles', '3']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stdout).toMatch(/! foreign_position +ETH\/USDT:USDT/);
    const events = withDb(ws.stateDb, (db) => db.prepare('SELECT kind, symbol, exchange, action FROM reconciliation_events ORDER BY run_id, seq').all());
    expect(events).toContainEqual({ kind: 'foreign_position', symbol: 'ETH/USDT:USDT', exchange: 0.5, action: 'stopped' });
    expect(events).toContainEqual({ kind: 'foreign_position', symbol: 'ETH/USDT:USDT', exchange: 0.5, action: 'reported' });
    // The daemon never touched it: the exchange still holds the foreign 0.5 ETH beside whatever it traded.
    const eth = server.account(KEYS.foreign.apiKey)!.positions.find((p) => p.symbol === 'ETHUSDT');
    const bookEth = accountBook(ws.stateDb, 'demo').positions.filter((p) => p.symbol === 'ETH/USDT:USDT').reduce((a, p) => a + p.qty, 0);
    expect((eth?.size ?? 0) - bookEth).toBeCloseTo(0.5, 9);
  }, 120_000);

  it('trades the real account in live mode only with live.confirm and --confirm-live, and refuses before any request without either', async () => {
    const ws = space(KEYS.live, ['market.symbols=BTC/USDT:USDT', ...FAST_MA, 'forward.execution=paper']);
    const requests = server.requests.length;
    const noFlag = await run(ws, ['--mode', 'live', '--set', 'live.confirm=true', '--max-candles', '2']);
    const noConfirm = await run(ws, ['--mode', 'live', '--confirm-live', '--max-candles', '2']);
    for (const r of [noFlag, noConfirm]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('CT_ERR_LIVE_NOT_CONFIRMED');
    }
    expect(noFlag.stderr).toContain('missing: --confirm-live');
    expect(noConfirm.stderr).toContain('missing: [live] confirm = true');
    expect(server.requests.length, 'no request of any kind before both confirmations').toBe(requests);
    const live = await run(ws, ['--mode', 'live', '--set', 'live.confirm=true', '--confirm-live', '--max-candles', '8', '--json']);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toContain('LIVE TRADING: REAL ORDERS on Bybit (REAL ACCOUNT), account live (linear)');
    const runs = withDb(ws.stateDb, (db) => db.prepare('SELECT mode, status, account FROM runs').all());
    expect(runs).toEqual([{ mode: 'live', status: 'completed', account: 'live' }]);
    expect(expectFillsEqualExecutions(ws, KEYS.live.apiKey, 'live')).toBeGreaterThan(0);
  }, 120_000);

  it('raises a drift event while running when the exchange account changes under the daemon', async () => {
    // A slow strategy: the comparison waits while an order is in flight or a fill waits for its step.
    const ws = space(KEYS.drift, ['market.symbols=BTC/USDT:USDT', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=20', 'strategy.simple_ma.slow=50', 'live.reconcile_interval_s=5']);
    const d = startDaemon(setArgs(ws.sets), 90_000, ws.env);
    const count = (sql: string): number => readDb(ws.stateDb, (db) => (db.prepare(sql).get() as { n: number }).n) ?? 0;
    await until(() => count('SELECT COUNT(*) n FROM equity') > 0, 60_000, 'the run to trade');
    const admin = await fetch(`${server.adminUrl}/accounts/${KEYS.drift.apiKey}/balances`, { method: 'POST', body: JSON.stringify({ coin: 'USDT', amount: 25_000 }) });
    expect(admin.status).toBeLessThan(300);
    // Runs until the periodic comparison has seen it (every 5 s when no order is in flight), then stops.
    await until(() => count("SELECT COUNT(*) n FROM reconciliation_events WHERE phase = 'periodic' AND kind = 'cash'") > 0, 60_000, 'a periodic cash finding');
    closeReaders();
    d.kill('SIGTERM');
    const out = await d.exited;
    cli.outputs.push(out);
    expect(out.code, out.stderr).toBe(0);
    const events = withDb(ws.stateDb, (db) => db.prepare("SELECT phase, kind, symbol, exchange, action FROM reconciliation_events WHERE phase = 'periodic'").all() as Array<{ kind: string; exchange: number; action: string }>);
    expect(events.filter((e) => e.kind === 'cash').length).toBeGreaterThan(0);
    expect(events.find((e) => e.kind === 'cash')).toMatchObject({ symbol: 'USDT', action: 'reported' });
    const drift = readdirSync(join(ws.root, 'logs')).map((f) => readFileSync(join(ws.root, 'logs', f), 'utf8')).join('');
    expect(drift).toMatch(/"code":"CT_ERR_RECONCILE_DRIFT".*RECONCILIATION DRIFT: USDT: the book has/);
  }, 120_000);

  it('refuses leverage on spot before any request is made', async () => {
    const ws = space(KEYS.drift, ['exchange.market=spot', 'market.symbols=BTC/USDT', ...FAST_MA, 'risk.max_leverage=2']);
    const requests = server.requests.length;
    const out = await run(ws, ['--max-candles', '2']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^CT_ERR_CONFIG_INVALID: --set: risk.max_leverage = 2 is not possible on spot/m);
    expect(server.requests.length).toBe(requests);
  });

  it('never lets an API key or secret reach a log, the state database, results, stdout or stderr', () => {
    cli.expectNoSecrets(Object.values(KEYS), 7);
  });
});
