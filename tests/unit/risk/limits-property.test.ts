/**
 * Property test: thousands of random signal sequences from 2-3 strategies on 3 symbols, through
 * the real fill simulator (fills at the next open), checked after every decision and every step
 * against limits recomputed here from the portfolio and the simulator's pending orders, not from
 * the gate's own bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import type { Candle } from '../../../src/domain/candle.ts';
import { releasesReservation } from '../../../src/domain/execution-note.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import type { OrderIntent } from '../../../src/domain/order.ts';
import type { SignalKind } from '../../../src/domain/signal.ts';
import { Portfolio } from '../../../src/engine/portfolio/portfolio.ts';
import type { RiskConfig } from '../../../src/engine/risk/risk-config.ts';
import { RiskGate } from '../../../src/engine/risk/risk-gate.ts';
import { SimulatedExecution } from '../../../src/execution/simulated-execution.ts';
import { H, T0, sig } from './gate-helpers.ts';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const HEADROOM = 0.01;

interface Run {
  readonly violations: string[];
  approvedEntries: number;
  resized: number;
  readonly denied: Map<string, number>;
  exitsDenied: number;
}

function randomConfig(rng: Rng, market: MarketType, ids: string[]): RiskConfig {
  const raw = ids.map(() => 0.2 + rng.next());
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights: Record<string, number> = {};
  ids.forEach((id, i) => (weights[id] = raw[i]! / sum));
  return {
    sizing: pick(rng, ['fixed', 'percent_equity', 'risk'] as const),
    positionPct: pick(rng, [20, 50, 100, 200]),
    fixedQty: pick(rng, [0.5, 2, 10]),
    riskPerTradePct: pick(rng, [0.5, 2, 5]),
    atrStopMult: 2,
    maxOpenPositions: pick(rng, [0, 1, 2, 3, 5]),
    maxOpenPositionsPerStrategy: pick(rng, [0, 1, 2]),
    maxSymbolExposurePct: pick(rng, [0, 30, 50, 100]),
    maxTotalExposurePct: pick(rng, [0, 60, 100, 150]),
    maxLeverage: market === 'spot' ? 1 : pick(rng, [1, 2, 3]),
    maxRiskPerTradePct: pick(rng, [0, 0, 1]),
    dailyLossLimitPct: pick(rng, [0, 3]),
    maxDrawdownPct: pick(rng, [0, 15]),
    cooldownAfterLossBars: pick(rng, [0, 2]),
    expectancyMinTrades: pick(rng, [0, 3]),
    expectancyFloor: 0,
    allowShort: market === 'linear',
    strategyWeights: weights,
    fillHeadroomPct: HEADROOM * 100,
  };
}

function runOnce(seed: number, market: MarketType, steps: number): Run {
  const rng = new Rng(seed);
  const ids = rng.next() < 0.5 ? ['a', 'b'] : ['a', 'b', 'c'];
  const symbols = market === 'spot' ? ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] : ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'];
  const cfg = randomConfig(rng, market, ids);
  const portfolio = new Portfolio(10_000, ids, market);
  const gate = new RiskGate(cfg, () => ({ minQty: 0.001, qtyStep: 0.001, minNotional: 5, tickSize: 0.01 }), portfolio);
  const exec = new SimulatedExecution({
    fillModel: 'next_open', takerFeeBps: 0, makerFeeBps: 0, slippageModel: 'fixed', slippageBps: 0, atrSlippageMult: 0, atrPeriod: 5,
    market, fundingFallbackRate: 0, fundingIntervalHours: 8, timeframeMs: H,
  }, { logger: { warn() {} } });
  const close = new Map<string, number>(symbols.map((s, i) => [s, [100, 20, 5][i]!]));
  const stops = new Map<string, number | undefined>();
  const out: Run = { violations: [], approvedEntries: 0, resized: 0, denied: new Map(), exitsDenied: 0 };
  const eps = 1e-7;
  const fail = (msg: string): void => {
    if (out.violations.length < 5) out.violations.push(`seed ${seed} ${market}: ${msg}`);
  };

  /**
   * Limits recomputed from the portfolio and the simulator's pending orders. Position counts must
   * hold at all times. Exposure can drift above a cap by price moves alone (the gate never forces
   * a sale), so it is checked right after a decision that ADDED exposure: that decision must have
   * left its symbol's cap and the total/leverage caps satisfied at the decision prices.
   */
  const checkCommitments = (where: string, exposureOf: string | undefined): void => {
    const pending = exec.pendingOrders();
    const keys = new Map<string, { sid: string; sym: string }>();
    for (const p of portfolio.openPositions()) keys.set(`${p.strategyId}|${p.symbol}`, { sid: p.strategyId, sym: p.symbol });
    for (const o of pending) keys.set(`${o.strategyId}|${o.symbol}`, { sid: o.strategyId, sym: o.symbol });
    let open = 0;
    const perStrategy = new Map<string, number>();
    const perSymbol = new Map<string, number>();
    let total = 0;
    for (const { sid, sym } of keys.values()) {
      const now = portfolio.position(sid, sym).qty;
      let q = now;
      let peak = Math.abs(now);
      for (const o of pending) {
        if (o.strategyId !== sid || o.symbol !== sym) continue;
        const d = o.side === 'buy' ? o.qty : -o.qty;
        if (o.reduceOnly) {
          if (q === 0 || Math.sign(d) === Math.sign(q)) continue;
          q = Math.abs(d) >= Math.abs(q) ? 0 : q + d;
        } else q += d;
        peak = Math.max(peak, Math.abs(q));
      }
      if (peak === 0) continue;
      open++;
      perStrategy.set(sid, (perStrategy.get(sid) ?? 0) + 1);
      const px = close.get(sym)!;
      const n = Math.abs(now) * px + Math.max(0, peak - Math.abs(now)) * px * (1 + HEADROOM);
      perSymbol.set(sym, (perSymbol.get(sym) ?? 0) + n);
      total += n;
    }
    if (cfg.maxOpenPositions > 0 && open > cfg.maxOpenPositions) fail(`${where}: ${open} positions > ${cfg.maxOpenPositions}`);
    for (const [sid, n] of perStrategy) if (cfg.maxOpenPositionsPerStrategy > 0 && n > cfg.maxOpenPositionsPerStrategy) fail(`${where}: ${sid} holds ${n} > ${cfg.maxOpenPositionsPerStrategy}`);
    if (exposureOf === undefined) return;
    const eq = portfolio.equity();
    for (const [sym, n] of perSymbol) if (sym === exposureOf && cfg.maxSymbolExposurePct > 0 && n > (cfg.maxSymbolExposurePct / 100) * eq * (1 + eps)) fail(`${where}: ${sym} exposure ${n} > ${cfg.maxSymbolExposurePct}% of ${eq}`);
    if (cfg.maxTotalExposurePct > 0 && total > (cfg.maxTotalExposurePct / 100) * eq * (1 + eps)) fail(`${where}: total exposure ${total} > ${cfg.maxTotalExposurePct}% of ${eq}`);
    if (total > cfg.maxLeverage * eq * (1 + eps)) fail(`${where}: leverage ${total / eq} > ${cfg.maxLeverage}`);
    if (market === 'spot') {
      let reserved = 0;
      for (const o of pending) if (o.side === 'buy') reserved += o.qty * close.get(o.symbol)! * (1 + HEADROOM);
      if (reserved > portfolio.cash * (1 + eps) + eps) fail(`${where}: spot buys reserve ${reserved} > cash ${portfolio.cash}`);
    }
  };

  const book = (fills: ReturnType<SimulatedExecution['onCandle']>['fills']): void => {
    for (const f of fills) {
      portfolio.applyFill(f, { stop: stops.get(f.orderId) });
      gate.onOrderFilled(f.orderId);
    }
  };
  const releaseDropped = (): void => {
    for (const n of exec.drainNotes()) if (releasesReservation(n)) gate.onOrderCancelled(n.orderId);
  };

  for (let k = 0; k < steps; k++) {
    const ts = T0 + k * H;
    // 1-2. fills at this candle's open (within the headroom of the last close), stops intrabar.
    for (const sym of symbols) {
      const prev = close.get(sym)!;
      const open = prev * (1 + (rng.next() - 0.5) * HEADROOM);
      const c = open * Math.exp(rng.normal() * 0.015);
      const candle: Candle = { ts, open, high: Math.max(open, c) * 1.003, low: Math.min(open, c) * 0.997, close: c, volume: 1 };
      const r = exec.onCandle(sym, candle);
      book(r.fills);
      portfolio.observeCandle(sym, candle);
      close.set(sym, c);
    }
    releaseDropped();
    if (market === 'spot') {
      if (portfolio.cash < -eps) fail(`step ${k}: spot cash ${portfolio.cash} < 0`);
      for (const p of portfolio.openPositions()) if (p.qty < 0) fail(`step ${k}: spot short ${p.strategyId} ${p.symbol} ${p.qty}`);
    }
    gate.onStep(ts);
    portfolio.mark(ts, close);
    checkCommitments(`step ${k} after fills`, undefined);
    // 4. random signals, often several strategies on the same step and symbol.
    const nSignals = rng.int(5);
    for (let j = 0; j < nSignals; j++) {
      const sid = pick(rng, ids);
      const sym = pick(rng, symbols);
      const kind: SignalKind = pick(rng, ['enter_long', 'enter_short', 'exit', 'target', 'enter_long'] as const);
      const te = kind === 'enter_long' ? 0.2 + 0.8 * rng.next() : kind === 'enter_short' ? -(0.2 + 0.8 * rng.next()) : kind === 'exit' ? 0 : rng.next() * 2 - 1;
      const px = close.get(sym)!;
      const withStop = rng.next() < 0.4 && te !== 0;
      const stop = withStop ? px * (1 - Math.sign(te) * (0.01 + 0.05 * rng.next())) : undefined;
      const s = sig(sid, sym, kind, te, ts, stop === undefined ? {} : { stop });
      const pos = portfolio.position(sid, sym).qty;
      const pend = exec.pendingOrders().filter((o) => o.strategyId === sid && o.symbol === sym).reduce((a, o) => a + (o.side === 'buy' ? o.qty : -o.qty), 0);
      const d = gate.evaluate(s, { price: px, atr: rng.next() < 0.7 ? px * 0.02 : undefined });
      if (!d.approved) {
        out.denied.set(d.reasonCode, (out.denied.get(d.reasonCode) ?? 0) + 1);
        if (kind === 'exit' && Math.abs(pos + pend) > 1e-9) {
          out.exitsDenied++;
          fail(`exit of ${pos + pend} denied: ${d.reasonCode}`);
        }
        if (market === 'spot' && te < 0 && d.reasonCode !== 'SHORT_NOT_ALLOWED' && Math.abs(pos + pend) < 1e-9) fail(`spot short denied with ${d.reasonCode}`);
        continue;
      }
      if (d.resized) out.resized++;
      const adds = d.orders.some((o) => !o.reduceOnly);
      for (const o of d.orders as OrderIntent[]) {
        if (!o.reduceOnly) out.approvedEntries++;
        if (market === 'spot' && o.side === 'sell' && !o.reduceOnly) fail(`spot opening sell ${o.id}`);
        stops.set(o.id, o.stop);
        book(exec.submit(o, { candle: { ts, open: px, high: px, low: px, close: px, volume: 1 } }));
      }
      checkCommitments(`step ${k} after ${s.id} (${kind} ${te.toFixed(3)})`, adds ? sym : undefined);
    }
    // occasionally a strategy cancels its pending orders on a symbol
    if (rng.next() < 0.05) exec.cancelAll(pick(rng, ids), pick(rng, symbols));
    releaseDropped();
  }
  if (gate.pendingOrders !== exec.pendingOrders().length) fail(`gate holds ${gate.pendingOrders} reservations, simulator ${exec.pendingOrders().length} pending`);
  return out;
}

describe('risk limits hold under random signal sequences', () => {
  for (const market of ['linear', 'spot'] as const) {
    it(`no limit is ever exceeded and no exit is ever denied (${market}, 150 seeded runs x 80 steps)`, () => {
      const violations: string[] = [];
      let entries = 0, resized = 0;
      const denied = new Map<string, number>();
      for (let seed = 1; seed <= 150; seed++) {
        const r = runOnce(seed * 7919 + (market === 'spot' ? 1 : 0), market, 80);
        violations.push(...r.violations);
        entries += r.approvedEntries;
        resized += r.resized;
        for (const [k, v] of r.denied) denied.set(k, (denied.get(k) ?? 0) + v);
      }
      expect(violations).toEqual([]);
      // The runs must actually reach the limits, or this test proves nothing.
      expect(entries).toBeGreaterThan(1000);
      expect(resized).toBeGreaterThan(50);
      for (const code of ['MAX_OPEN_POSITIONS', 'MAX_OPEN_POSITIONS_STRATEGY', 'MAX_SYMBOL_EXPOSURE', 'MAX_TOTAL_EXPOSURE']) {
        expect(denied.get(code) ?? 0, `${code} denials`).toBeGreaterThan(0);
      }
      if (market === 'spot') expect(denied.get('SHORT_NOT_ALLOWED') ?? 0).toBeGreaterThan(0);
    });
  }
});
