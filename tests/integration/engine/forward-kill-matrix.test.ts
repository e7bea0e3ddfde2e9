import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/core/state-json.ts';
import { Rng } from '../../../src/core/rng.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import type { Fill } from '../../../src/domain/order.ts';
import { Portfolio } from '../../../src/engine/portfolio/portfolio.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { closeReaders, forwardArgs, readDb, startDaemon, until } from '../../support/forward-daemon.ts';

/**
 * The same kill at any moment loses nothing: a forward paper run is SIGKILLed at 12 random
 * moments (a seeded RNG picks them: while it boots, replays and catches up, or while it trades),
 * restarted after each, and at the end the account is one account that continued throughout.
 */

const M = 60_000;
const FROM = Date.UTC(2024, 0, 1);
const KILLS = 12;
const STRATEGIES = ['simple_ma', 'trend_following'];

interface RunRow { id: string; status: string; account: string | null; resumed_from: string | null; pid: number | null }
interface FillRow { run_id: string; id: string; order_id: string; strategy_id: string; symbol: string; side: 'buy' | 'sell'; qty: number; price: number; fee: number; slippage: number; ts: number; reason: Fill['reason'] }

describe('a forward paper account SIGKILLed at 12 random moments', () => {
  let server: FakeBybitServer;
  const ws = tempWorkspace('ct-fwd-kills-');
  const sets = [
    ...ws.sets, 'market.symbols=BTC/USDT,ETH/USDT', 'market.timeframe=1m', `strategies.enabled=${STRATEGIES.join(',')}`,
    'strategy.simple_ma.fast=3', 'strategy.simple_ma.slow=8', 'strategy.trend_following.fast=5', 'strategy.trend_following.slow=20',
    'strategy.trend_following.adx_min=10', 'forward.warmup_candles=150', 'risk.cooldown_after_loss_bars=20',
  ];
  const q = <T>(sql: string, ...p: unknown[]): T[] => readDb(ws.stateDb, (db) => db.prepare(sql).all(...p) as T[]) ?? [];
  /** The process that ran each run row (runs.pid is not written by every version: the test knows it). */
  const pidOf = new Map<string, number>();
  let killedWhileTrading = 0;
  let killedBeforeTrading = 0;
  let lastRun = '';

  beforeAll(async () => {
    server = await startFakeBybit({ now: FROM + 600 * M + M / 2 });
    for (const [id, cols] of generateSynthetic({ seed: 5, symbols: ['BTCUSDT', 'ETHUSDT'], timeframe: '1m', from: FROM, count: 12_000 })) server.addCandles('spot', id, M, cols);
    // 20 one-minute candles close per second.
    server.startReplay(1200, 100);
    const rng = new Rng(20_240_917);
    const newest = (): string | undefined => q<{ id: string }>('SELECT id FROM runs ORDER BY rowid DESC LIMIT 1')[0]?.id;
    for (let k = 0; k < KILLS; k++) {
      const before = newest();
      const d = startDaemon(forwardArgs(server, sets));
      const mine = (): string | undefined => {
        const id = newest();
        return id !== before ? id : undefined;
      };
      if (rng.next() < 0.4) {
        // While it starts: booting, strategy processes, the replay of the account, the downtime catch-up.
        await new Promise((r) => setTimeout(r, 200 + rng.next() * 4000));
      } else {
        await until(() => {
          const id = mine();
          return id !== undefined && q('SELECT 1 FROM equity WHERE run_id = ? LIMIT 1', id).length > 0;
        }, 60_000, `run ${k + 1} to trade`);
        await new Promise((r) => setTimeout(r, rng.next() * 700));
      }
      d.kill('SIGKILL');
      const exit = await d.exited;
      expect(exit.signal, `start ${k + 1}: ${exit.stderr}`).toBe('SIGKILL');
      const id = mine();
      if (id !== undefined) {
        pidOf.set(id, d.pid);
        if (q('SELECT 1 FROM equity WHERE run_id = ? LIMIT 1', id).length > 0) killedWhileTrading++;
        else killedBeforeTrading++;
      } else killedBeforeTrading++;
    }
    const out = await runCliProcess([...forwardArgs(server, [...sets, 'forward.max_candles=5']), '--json'], 90_000);
    expect(out.stderr).not.toMatch(/CT_ERR_/);
    expect(out.code).toBe(0);
    lastRun = (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string }).run_id;
  }, 300_000);
  afterAll(async () => {
    closeReaders();
    await server?.close();
  });

  it('was killed both while starting and while trading', () => {
    expect(killedWhileTrading).toBeGreaterThanOrEqual(5);
    expect(killedBeforeTrading).toBeGreaterThanOrEqual(2);
  });

  it('leaves no run running, and continues one account throughout: every run after the first resumed the one before it', () => {
    const runs = q<RunRow>('SELECT id, status, account, resumed_from, pid FROM runs ORDER BY rowid');
    expect(runs.at(-1)!.id).toBe(lastRun);
    expect(runs.at(-1)!.status).toBe('completed');
    // Every killed run was found dead and marked `crashed` by the start after it.
    for (const r of runs.slice(0, -1)) expect({ run: r.id, status: r.status, pid: r.pid }).toEqual({ run: r.id, status: 'crashed', pid: pidOf.get(r.id) });
    const account = runs.filter((r) => r.account === 'paper');
    // Every start that traded joined the account, and so did the last one.
    expect(account.length).toBeGreaterThanOrEqual(killedWhileTrading + 1);
    expect(account[0]!.resumed_from).toBeNull();
    for (let i = 1; i < account.length; i++) expect(account[i]!.resumed_from, account[i]!.id).toBe(account[i - 1]!.id);
    // A start killed before it joined the account did nothing.
    for (const r of runs.filter((x) => x.account === null)) {
      for (const t of ['fills', 'equity', 'run_candles', 'account_state', 'orders']) expect(q(`SELECT COUNT(*) n FROM ${t} WHERE run_id = ?`, r.id), `${t} of ${r.id}`).toEqual([{ n: 0 }]);
    }
  });

  it('holds after the last restart exactly what a replay of all its committed fills gives, with no fill booked twice', () => {
    const ids = q<{ id: string }>("SELECT id FROM runs WHERE account = 'paper' ORDER BY rowid").map((r) => r.id);
    const fills = q<FillRow>(`SELECT f.* FROM fills f JOIN runs r ON r.id = f.run_id WHERE r.account = 'paper' ORDER BY r.rowid, f.rowid`);
    // Enough fills for the replay to mean something; how many the account made before its last
    // start depends on how fast the machine ran between the kills (20 was seen on a loaded one).
    expect(fills.length).toBeGreaterThanOrEqual(10);
    expect(new Set(fills.map((f) => f.id)).size).toBe(fills.length);
    const replay = new Portfolio(10_000, [...STRATEGIES], 'spot');
    for (const f of fills) replay.applyFill({ id: f.id, orderId: f.order_id, strategyId: f.strategy_id, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, fee: f.fee, slippageCost: f.slippage, ts: f.ts, reason: f.reason });
    const last = ids.at(-1)!;
    expect(last).toBe(lastRun);
    const saved = parseState(q<{ state: string }>('SELECT state FROM account_state WHERE run_id = ?', last)[0]!.state, 'test') as { portfolio: { cash: number; ledgers: Array<{ strategyId: string; symbol: string; qty: number; avgPrice: number }> } };
    expect(saved.portfolio.cash).toBe(replay.cash);
    const held = saved.portfolio.ledgers.filter((p) => p.qty !== 0).map((p) => ({ strategyId: p.strategyId, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice }));
    const sortKey = (p: { strategyId: string; symbol: string }): string => `${p.strategyId} ${p.symbol}`;
    expect(held.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(replay.openPositions().sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
    // The last run's own rows say the same: its last equity row's cash, its positions table.
    const eq = q<{ cash: number }>('SELECT cash FROM equity WHERE run_id = ? ORDER BY ts DESC LIMIT 1', last)[0]!;
    expect(eq.cash).toBe(replay.cash);
    const rows = q<{ strategy_id: string; symbol: string; qty: number; avg_price: number }>('SELECT strategy_id, symbol, qty, avg_price FROM positions WHERE run_id = ? AND qty <> 0', last);
    expect(rows.map((r) => ({ strategyId: r.strategy_id, symbol: r.symbol, qty: r.qty, avgPrice: r.avg_price })).sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(held);
  });

  it('has equity timestamps strictly increasing across the account, with gaps only for the candles that closed while it was down', () => {
    const eq = q<{ run_id: string; ts: number }>("SELECT e.run_id, e.ts FROM equity e JOIN runs r ON r.id = e.run_id WHERE r.account = 'paper' ORDER BY r.rowid, e.ts");
    const untraded = q<{ run_id: string; ts: number }>("SELECT DISTINCT c.run_id, c.ts FROM run_candles c JOIN runs r ON r.id = c.run_id WHERE r.account = 'paper' AND c.traded = 0");
    const downtimeOf = new Map(untraded.map((c) => [c.ts, c.run_id] as const));
    const order = new Map(q<{ id: string }>("SELECT id FROM runs WHERE account = 'paper' ORDER BY rowid").map((r, i) => [r.id, i] as const));
    let gaps = 0;
    for (let i = 1; i < eq.length; i++) {
      const a = eq[i - 1]!;
      const b = eq[i]!;
      expect(b.ts, `equity at ${b.ts} after ${a.ts}`).toBeGreaterThan(a.ts);
      if (b.ts === a.ts + M) continue;
      // A gap: only between two runs, and every candle in it was fed untraded by a run after the first.
      expect(b.run_id, `gap ${a.ts}..${b.ts} inside run ${a.run_id}`).not.toBe(a.run_id);
      gaps++;
      for (let t = a.ts + M; t < b.ts; t += M) {
        const by = downtimeOf.get(t);
        expect(by, `candle ${t} in the gap after ${a.run_id}`).toBeDefined();
        expect(order.get(by!)!).toBeGreaterThan(order.get(a.run_id)!);
        expect(order.get(by!)!).toBeLessThanOrEqual(order.get(b.run_id)!);
      }
    }
    expect(gaps).toBeGreaterThan(5);
    // No candle fed untraded (warm-up, downtime) was traded later: no step is traded late.
    const traded = new Set(eq.map((e) => e.ts));
    expect(untraded.filter((c) => traded.has(c.ts))).toEqual([]);
  });
});
