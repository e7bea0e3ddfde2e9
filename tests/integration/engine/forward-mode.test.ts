import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess as run } from '../../support/cli-process.ts';

const M = 60_000;
const FROM = Date.UTC(2024, 0, 1);
const IDS = ['BTCUSDT', 'ETHUSDT'];

describe('forward mode against the fake Bybit exchange', () => {
  let server: FakeBybitServer;
  const series = generateSynthetic({ seed: 7, symbols: IDS, timeframe: '1m', from: FROM, count: 3000 });
  const ws = tempWorkspace('ct-forward-');
  const STEPS = 60;
  let out: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    // The exchange clock starts half-way through candle 600; then 20 one-minute candles close per second.
    server = await startFakeBybit({ now: FROM + 600 * M + M / 2 });
    for (const [id, cols] of series) server.addCandles('spot', id, M, cols);
    server.startReplay(1200, 100);
    out = await run([
      '--mode', 'forward',
      ...[...ws.sets, `exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, 'market.symbols=BTC/USDT,ETH/USDT',
        'market.timeframe=1m', `forward.max_candles=${STEPS}`, 'strategies.enabled=simple_ma,rsi_reversion', 'strategy.simple_ma.fast=3',
        'strategy.simple_ma.slow=8', 'forward.warmup_candles=100', 'execution.slippage_bps=0'].flatMap((s) => ['--set', s]),
      '--json',
    ], 90_000);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('trades live candles through the same loop with paper fills and records the run in State/trading.db', () => {
    expect(out.stderr).not.toMatch(/CT_ERR_/);
    expect(out.code).toBe(0);
    const summary = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string; status: string; steps: number };
    expect(summary).toMatchObject({ status: 'completed', steps: STEPS });

    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT mode, status FROM runs WHERE id = ?').get(summary.run_id)).toEqual({ mode: 'forward', status: 'completed' });
      // One equity row per live step, one minute apart: no candle lost, none repeated.
      const eq = db.prepare('SELECT ts FROM equity WHERE run_id = ? ORDER BY ts').all(summary.run_id) as Array<{ ts: number }>;
      expect(eq).toHaveLength(STEPS);
      for (let i = 1; i < eq.length; i++) expect(eq[i]!.ts - eq[i - 1]!.ts).toBe(M);
      const firstLive = eq[0]!.ts;

      // Warmed up on history, so the fast SMA cross trades within the run; nothing was decided on warm-up candles.
      const signals = db.prepare('SELECT ts FROM signals WHERE run_id = ?').all(summary.run_id) as Array<{ ts: number }>;
      expect(signals.length).toBeGreaterThan(0);
      for (const s of signals) expect(s.ts).toBeGreaterThanOrEqual(firstLive);

      // Paper fills: a market order decided on candle t fills at the open of the live candle after it.
      const fills = db.prepare(`SELECT f.ts, f.symbol, f.price, f.reason, o.decided_ts FROM fills f JOIN orders o ON o.run_id = f.run_id AND o.id = f.order_id WHERE f.run_id = ?`).all(summary.run_id) as Array<{ ts: number; symbol: string; price: number; reason: string; decided_ts: number }>;
      expect(fills.length).toBeGreaterThan(0);
      for (const f of fills) {
        expect(f.ts).toBeGreaterThan(f.decided_ts);
        if (f.reason !== 'signal') continue;
        const cols = series.get(f.symbol.replace('/', ''))!;
        const i = (f.ts - FROM) / M;
        expect(f.ts).toBe(f.decided_ts + M);
        expect(f.price).toBe(cols.open[i]);
      }
    } finally {
      db.close();
    }
  });

  it('fetched the warm-up over REST and logged no late or split candle', () => {
    expect(server.requestsTo('/v5/market/kline').length).toBeGreaterThan(0);
    const logDir = join(ws.root, 'logs');
    const log = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('');
    expect(log).toContain('warmed strategies up on the last closed candles (BTC/USDT 100, ETH/USDT 100)');
    expect(log).not.toContain('arrived after its step');
    expect(log).not.toContain('CT_ERR_INTERNAL');
  });
});
