import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvRows, runBacktestInProcess, tempWorkspace, type BacktestRun } from '../../support/backtest-env.ts';
import { realSpotMarket, syntheticMarket, type BacktestMarket } from '../../support/backtest-markets.ts';
import { SPOT_MARKET } from '../../support/synthetic-store.ts';

const MARKETS: readonly BacktestMarket[] = [
  syntheticMarket(SPOT_MARKET),
  realSpotMarket(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], '2021-01-01', '2023-01-01'),
];

for (const market of MARKETS) {
  describe.skipIf(!market.available)(`the risk gate inside the candle loop on ${market.name}`, () => {
    const ws = tempWorkspace('ct-risk-');
    let base: string[];
    const run = async (sets: string[]): Promise<BacktestRun> => {
      const r = await runBacktestInProcess([...base, ...sets]);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const query = <T>(sql: string, ...args: unknown[]): T[] => {
      const db = new Database(ws.stateDb, { readonly: true });
      try {
        return db.prepare(sql).all(...args) as T[];
      } finally {
        db.close();
      }
    };
    const decisionCount = (runId: string | undefined, where: string): number =>
      query<{ n: number }>(`SELECT COUNT(*) n FROM risk_decisions WHERE run_id = ? AND (${where})`, runId)[0]!.n;

    beforeAll(async () => {
      base = [...ws.sets, ...(await market.prepare(ws.dataDir)), 'strategies.isolation=inline'];
    });

    it('never lets two strategies on one account hold more positions than max_open_positions', async () => {
      const r = await run(['market.symbols=BTC/USDT', 'strategies.enabled=simple_ma,ema_cross', 'strategy.simple_ma.fast=10', 'strategy.simple_ma.slow=30',
        'risk.max_open_positions=1', 'risk.position_pct=40']);
      const pos = new Map<string, number>();
      let maxOpen = 0;
      for (const f of csvRows(r.file('fills.csv'))) {
        pos.set(f.strategy!, (pos.get(f.strategy!) ?? 0) + Number(f.qty) * (f.side === 'buy' ? 1 : -1));
        maxOpen = Math.max(maxOpen, [...pos.values()].filter((v) => Math.abs(v) > 1e-12).length);
      }
      expect(pos.size).toBe(2); // both strategies traded
      expect(maxOpen).toBe(1);
      expect(decisionCount(r.runId, `approved = 0 AND reason_code = 'MAX_OPEN_POSITIONS'`)).toBeGreaterThan(0);
    });

    it('records the drawdown circuit breaker and denies every later entry', async () => {
      const r = await run(['market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=5', 'strategy.simple_ma.slow=12', 'risk.max_drawdown_pct=8']);
      const trip = query<{ ts: number; kind: string }>(`SELECT ts, kind FROM risk_events WHERE run_id = ? AND code = 'DRAWDOWN_HALT' ORDER BY seq LIMIT 1`, r.runId)[0];
      expect(trip?.kind).toBe('tripped');
      const laterEntries = query<{ approved: number; reason_code: string }>(
        `SELECT d.approved, d.reason_code FROM risk_decisions d JOIN signals s ON s.run_id = d.run_id AND s.id = d.signal_id WHERE d.run_id = ? AND s.kind = 'enter_long' AND s.ts > ?`,
        r.runId, trip!.ts,
      );
      expect(laterEntries.length).toBeGreaterThan(0);
      for (const e of laterEntries) expect(e).toEqual({ approved: 0, reason_code: 'DRAWDOWN_HALT' });
    });

    it('resizes, then denies, entries that would take gross exposure above max_total_exposure_pct, and records why', async () => {
      const strategy = ['strategies.enabled=simple_ma', 'strategy.simple_ma.fast=10', 'strategy.simple_ma.slow=30', 'risk.position_pct=40'];
      const capped = await run([...strategy, 'risk.max_total_exposure_pct=60']);
      const resized = query<{ reason: string }>(`SELECT reason FROM risk_decisions WHERE run_id = ? AND approved = 1 AND resized = 1`, capped.runId);
      expect(resized.length).toBeGreaterThan(0);
      for (const d of resized) expect(d.reason).toMatch(/resized [\d.]+ -> [\d.]+ by MAX_TOTAL_EXPOSURE: total exposure cap 60% of equity/);
      expect(decisionCount(capped.runId, `approved = 0 AND reason_code = 'MAX_TOTAL_EXPOSURE'`)).toBeGreaterThan(0);
      // The same run without the cap: nothing is resized or denied for exposure, so the limit did it.
      const free = await run([...strategy, 'risk.max_total_exposure_pct=0']);
      expect(decisionCount(free.runId, `reason LIKE '%MAX_TOTAL_EXPOSURE%' OR reason_code = 'MAX_TOTAL_EXPOSURE'`)).toBe(0);
      expect(csvRows(free.file('fills.csv')).length).toBeGreaterThan(0);
    });
  });
}
