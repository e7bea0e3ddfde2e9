import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/app/modes/backtest.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { HAS_SHARED_DATA } from '../../support/shared-data.ts';
import { configWith, importShared, tempWorkspace } from '../../support/backtest-env.ts';

const ws = tempWorkspace('ct-risk-');
const base = [...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2021-01-01', 'backtest.to=2023-01-01', 'backtest.auto_download=false', 'strategies.isolation=inline'];

describe.skipIf(!HAS_SHARED_DATA)('the risk gate inside the candle loop', () => {
  beforeAll(async () => {
    await importShared(configWith(base).config.general.data_dir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
  });

  it('never lets two strategies on one account hold more positions than max_open_positions', async () => {
    const { config, raw } = configWith([...base, 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma,ema_cross', 'strategy.simple_ma.fast=10', 'strategy.simple_ma.slow=30',
      'risk.max_open_positions=1', 'risk.position_pct=40']);
    const r = await runBacktest({ config, raw, logger: silentLogger() });
    const rows = readFileSync(join(r.resultsDir, 'fills.csv'), 'utf8').trim().split('\n');
    const h = rows[0]!.split(',');
    const [iSide, iQty, iStrat] = [h.indexOf('side'), h.indexOf('qty'), h.indexOf('strategy')];
    const pos = new Map<string, number>();
    let maxOpen = 0;
    for (const line of rows.slice(1)) {
      const c = line.split(',');
      const q = Number(c[iQty]) * (c[iSide] === 'buy' ? 1 : -1);
      pos.set(c[iStrat]!, (pos.get(c[iStrat]!) ?? 0) + q);
      maxOpen = Math.max(maxOpen, [...pos.values()].filter((v) => Math.abs(v) > 1e-12).length);
    }
    expect(pos.size).toBe(2); // both strategies traded
    expect(maxOpen).toBe(1);
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const denied = db.prepare(`SELECT COUNT(*) n FROM risk_decisions WHERE run_id = ? AND reason_code = 'MAX_OPEN_POSITIONS'`).get(r.runId) as { n: number };
    db.close();
    expect(denied.n).toBeGreaterThan(0);
  });

  it('records the drawdown circuit breaker and denies every later entry', async () => {
    const { config, raw } = configWith([...base, 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=5', 'strategy.simple_ma.slow=12', 'risk.max_drawdown_pct=8']);
    const r = await runBacktest({ config, raw, logger: silentLogger() });
    const db = new Database(join(ws.root, 'State', 'trading.db'), { readonly: true });
    const trip = db.prepare(`SELECT ts, kind FROM risk_events WHERE run_id = ? AND code = 'DRAWDOWN_HALT' ORDER BY seq LIMIT 1`).get(r.runId) as { ts: number; kind: string } | undefined;
    expect(trip?.kind).toBe('tripped');
    const laterEntries = db.prepare(`SELECT d.approved, d.reason_code FROM risk_decisions d JOIN signals s ON s.run_id = d.run_id AND s.id = d.signal_id WHERE d.run_id = ? AND s.kind = 'enter_long' AND s.ts > ?`).all(r.runId, trip!.ts) as Array<{ approved: number; reason_code: string }>;
    db.close();
    expect(laterEntries.length).toBeGreaterThan(0);
    for (const e of laterEntries) expect(e).toEqual({ approved: 0, reason_code: 'DRAWDOWN_HALT' });
  });
});
