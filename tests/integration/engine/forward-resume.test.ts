import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseState } from '../../../src/core/state-json.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { closeReaders, forwardArgs, logRecords, readDb, startDaemon, until } from '../../support/forward-daemon.ts';

const M = 60_000;
const FROM = Date.UTC(2024, 0, 1);
const IDS = ['BTCUSDT', 'ETHUSDT'];
const SYMBOL_OF: Record<string, string> = { BTCUSDT: 'BTC/USDT', ETHUSDT: 'ETH/USDT' };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Saved = any;

/** What the test itself reads out of a saved account state (independently of the code that restores it). */
function heldIn(s: Saved): Record<string, unknown> {
  const order: string[] = s.portfolio.strategies.map((x: Saved) => x.strategyId);
  const positions = (s.portfolio.ledgers as Saved[])
    .filter((p) => p.qty !== 0)
    .sort((a, b) => order.indexOf(a.strategyId) - order.indexOf(b.strategyId))
    .map((p) => ({ strategyId: p.strategyId, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice }));
  const pending = (s.execution.symbols as Saved[]).flatMap((x) => x.pending).sort((a: Saved, b: Saved) => a.seq - b.seq).map((p: Saved) => p.order.id);
  const protective = (s.execution.symbols as Saved[]).flatMap((x) => x.positions)
    .filter((p: Saved) => p.qty !== 0 && !(Number.isNaN(p.stop) && Number.isNaN(p.takeProfit)))
    .map((p: Saved) => ({ strategyId: p.strategyId, symbol: p.symbol, ...(Number.isNaN(p.stop) ? {} : { stop: p.stop }), ...(Number.isNaN(p.takeProfit) ? {} : { takeProfit: p.takeProfit }) }));
  const b = s.risk.breakers;
  return {
    cash: s.portfolio.cash, positions, pendingOrders: pending, protectiveOrders: protective,
    breakers: { halted: b.halted, dailyLossTripped: b.dailyTripped, cooldowns: b.cooldowns.filter((c: Saved) => c.until > b.stepIndex).length },
  };
}

describe('a forward account across a SIGKILL and --new-account', () => {
  let server: FakeBybitServer;
  const series = generateSynthetic({ seed: 11, symbols: IDS, timeframe: '1m', from: FROM, count: 8000 });
  const ws = tempWorkspace('ct-fwd-resume-');
  const sets = [
    ...ws.sets, 'market.symbols=BTC/USDT,ETH/USDT', 'market.timeframe=1m', 'strategies.enabled=simple_ma,trend_following',
    'strategy.simple_ma.fast=3', 'strategy.simple_ma.slow=8', 'strategy.trend_following.fast=5', 'strategy.trend_following.slow=20',
    'strategy.trend_following.adx_min=10', 'forward.warmup_candles=150', 'risk.cooldown_after_loss_bars=20', 'execution.slippage_bps=0',
  ];
  const q = <T>(sql: string, ...p: unknown[]): T[] => readDb(ws.stateDb, (db) => db.prepare(sql).all(...p) as T[]) ?? [];
  let run1 = '';
  let saved1: Saved;
  let savedTs = 0;

  beforeAll(async () => {
    server = await startFakeBybit({ now: FROM + 600 * M + M / 2 });
    for (const [id, cols] of series) server.addCandles('spot', id, M, cols);
    server.startReplay(1200, 100);
    // Run 1 trades until its committed state holds pending orders and protective stops, then the
    // market stops moving (so no later step can commit) and the daemon is SIGKILLed.
    const d = startDaemon(forwardArgs(server, sets));
    const wanted = (): Saved | undefined => {
      const row = q<{ run_id: string; state: string }>("SELECT a.run_id, a.state FROM account_state a JOIN runs r ON r.id = a.run_id WHERE r.account = 'paper'")[0];
      if (row === undefined) return undefined;
      const s = parseState(row.state, 'test') as Saved;
      const h = heldIn(s);
      run1 = row.run_id;
      return (h.pendingOrders as unknown[]).length > 0 && (h.protectiveOrders as unknown[]).length > 0 ? s : undefined;
    };
    for (;;) {
      await until(() => wanted() !== undefined, 60_000, 'a committed state with pending and protective orders');
      server.stopReplay();
      await new Promise((r) => setTimeout(r, 400));
      if (wanted() !== undefined) break;
      server.startReplay(1200, 100);
    }
    d.kill('SIGKILL');
    await d.exited;
    const row = q<{ ts: number; state: string }>('SELECT ts, state FROM account_state WHERE run_id = ?', run1)[0]!;
    saved1 = parseState(row.state, 'test');
    savedTs = row.ts;
    server.startReplay(1200, 100);
  }, 120_000);
  afterAll(async () => {
    closeReaders();
    await server?.close();
  });

  it('resumes the account a SIGKILL interrupted: cash, positions, pending and protective orders and breakers as of its last committed step', async () => {
    const out = await runCliProcess([...forwardArgs(server, [...sets, 'forward.max_candles=3']), '--json'], 90_000);
    expect(out.stderr).not.toMatch(/CT_ERR_/);
    expect(out.code).toBe(0);
    const run2 = (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string }).run_id;
    expect(q('SELECT account, resumed_from FROM runs WHERE id = ?', run2)).toEqual([{ account: 'paper', resumed_from: run1 }]);

    // The start says what it carried over, and that is what run 1 had committed.
    const start = logRecords(join(ws.root, 'logs')).find((r) => r.runId === run2 && String(r.msg).startsWith('resumed account paper'))!;
    expect(start, 'the resume log line').toBeDefined();
    const held = heldIn(saved1);
    expect({ cash: start.cash, positions: start.positions, pendingOrders: start.pendingOrders, protectiveOrders: start.protectiveOrders, breakers: start.breakers }).toEqual(held);
    expect(start).toMatchObject({ resumedFrom: run1, savedBy: run1, savedTs });
    expect(start.candlesReplayed as number).toBeGreaterThan(150 * 2);

    // The candles that closed while it was down were fed untraded; the first traded step comes after them.
    const eq = q<{ ts: number }>('SELECT ts FROM equity WHERE run_id = ? ORDER BY ts', run2);
    expect(eq).toHaveLength(3);
    const down = q<{ symbol: string; ts: number }>('SELECT symbol, ts FROM run_candles WHERE run_id = ? AND traded = 0 ORDER BY ts, symbol', run2);
    expect(down.length).toBe(start.downtimeCandles);
    for (const sym of ['BTC/USDT', 'ETH/USDT']) {
      const mine = down.filter((c) => c.symbol === sym).map((c) => c.ts);
      const expected: number[] = [];
      for (let t = savedTs + M; t < eq[0]!.ts; t += M) expected.push(t);
      expect(mine, `${sym} downtime candles`).toEqual(expected);
    }

    // Every order pending at the kill fills at the open of the first step after the restart (same order id, same fill id).
    const pending = held.pendingOrders as string[];
    const fills = q<{ id: string; order_id: string; symbol: string; ts: number; price: number }>(`SELECT id, order_id, symbol, ts, price FROM fills WHERE run_id = ? AND order_id IN (${pending.map(() => '?').join(',')})`, run2, ...pending);
    const notes = q<{ order_id: string }>(`SELECT order_id FROM execution_notes WHERE run_id = ? AND order_id IN (${pending.map(() => '?').join(',')})`, run2, ...pending);
    for (const id of pending) {
      const f = fills.find((x) => x.order_id === id);
      if (f === undefined) {
        expect(notes.map((n) => n.order_id), `order ${id}: neither filled nor noted`).toContain(id);
        continue;
      }
      expect(f.id).toBe(`${id}:f1`);
      // At the open of the first candle of its symbol that run 2 traded.
      const first = q<{ ts: number }>('SELECT MIN(ts) ts FROM run_candles WHERE run_id = ? AND symbol = ? AND traded = 1', run2, f.symbol)[0]!.ts;
      expect(f.ts).toBe(first);
      const cols = series.get(Object.keys(SYMBOL_OF).find((k) => SYMBOL_OF[k] === f.symbol)!)!;
      expect(f.price).toBe(cols.open[(f.ts - FROM) / M]);
    }
    expect(q('SELECT COUNT(*) n FROM fills WHERE run_id = ? AND id IN (SELECT id FROM fills WHERE run_id = ?)', run2, run1)).toEqual([{ n: 0 }]);
  }, 120_000);

  it('--new-account starts afresh, marks the old account\'s latest run abandoned and says so', async () => {
    const before = q<{ id: string }>("SELECT id FROM runs WHERE account = 'paper' ORDER BY rowid DESC LIMIT 1")[0]!.id;
    const out = await runCliProcess([...forwardArgs(server, [...sets, 'forward.max_candles=2']), '--new-account', '--json'], 90_000);
    expect(out.stderr).not.toMatch(/CT_ERR_/);
    expect(out.code).toBe(0);
    const run3 = (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { run_id: string }).run_id;
    expect(q('SELECT status FROM runs WHERE id = ?', before)).toEqual([{ status: 'abandoned' }]);
    expect(q('SELECT account, resumed_from FROM runs WHERE id = ?', run3)).toEqual([{ account: 'paper', resumed_from: null }]);
    const logs = logRecords(join(ws.root, 'logs')).filter((r) => r.runId === run3 || r.abandonedRun === before);
    expect(logs.map((r) => r.msg)).toContain(`--new-account: account paper's latest run ${before} (completed) is marked abandoned; nothing of it is carried over`);
    const start = logs.find((r) => String(r.msg).startsWith('new account paper (--new-account)'))!;
    expect(start).toMatchObject({ cash: 10_000, positions: [], pendingOrders: [], protectiveOrders: [], candlesReplayed: 0 });
    expect(q('SELECT COUNT(*) n FROM run_candles WHERE run_id = ? AND traded = 0', run3)).toEqual([{ n: start.warmupCandles }]);
  }, 120_000);

  it('refuses a config that does not fit the account, and a saved state it cannot read, naming the run and --new-account', async () => {
    const latest = q<{ id: string }>("SELECT id FROM runs WHERE account = 'paper' ORDER BY rowid DESC LIMIT 1")[0]!.id;
    const mismatch = await runCliProcess(forwardArgs(server, [...sets, 'market.symbols=BTC/USDT']), 60_000);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr.trim().split('\n').at(-1)).toBe(
      `CT_ERR_ACCOUNT_MISMATCH: account paper (run ${latest}): market.symbols = BTC/USDT, but the account was traded with BTC/USDT,ETH/USDT; put market.symbols back, or start a new account with --new-account (the old one is then marked abandoned)`,
    );
    const db = new Database(ws.stateDb);
    db.prepare(`UPDATE account_state SET state = '{"v":7' || substr(state, 7) WHERE run_id = ?`).run(latest);
    db.close();
    const corrupt = await runCliProcess(forwardArgs(server, sets), 60_000);
    expect(corrupt.code).toBe(1);
    const line = corrupt.stderr.trim().split('\n').at(-1)!;
    expect(line).toMatch(new RegExp(`^CT_ERR_ACCOUNT_STATE: account paper: the saved state of run ${latest} cannot be restored: account state: shape version 7 .*--new-account`));
    // Neither start traded or joined the account.
    expect(q("SELECT COUNT(*) n FROM runs WHERE account = 'paper' AND rowid > (SELECT rowid FROM runs WHERE id = ?)", latest)).toEqual([{ n: 0 }]);
  }, 120_000);

  it('refuses --new-account in a mode without an account', async () => {
    for (const mode of [['--mode', 'backtest'], ['--dry-run']]) {
      const out = await runCliProcess([...mode, '--new-account', ...ws.sets.flatMap((s) => ['--set', s])], 60_000);
      expect(out.code).toBe(2);
      expect(out.stderr.trim()).toMatch(/^CT_ERR_USAGE: --new-account: (backtest|dry-run) mode has no account to resume or start afresh \(it applies to forward mode\)$/);
    }
  }, 60_000);
});
