import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResumableAccount, simulatedExecution, type ResumableAccount } from '../../../src/app/account.ts';
import { replayAccount } from '../../../src/app/account-resume.ts';
import { accountIdentity, decodeAccount, encodeAccount, restoreAccount } from '../../../src/app/account-snapshot.ts';
import { startStrategyHosts } from '../../../src/app/hosts.ts';
import { strategySpecs } from '../../../src/app/strategy-specs.ts';
import type { Config } from '../../../src/config/schema.ts';
import { isCtError } from '../../../src/core/errors.ts';
import { parseState, stringifyState } from '../../../src/core/state-json.ts';
import { sliceColumns, type CandleColumns } from '../../../src/domain/candle.ts';
import { runCandleLoop } from '../../../src/engine/candle-loop.ts';
import { mergeColumns, ReplaySource } from '../../../src/engine/sources/replay-source.ts';
import type { SimulatedExecution } from '../../../src/execution/simulated-execution.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { AccountingWriter } from '../../../src/persistence/accounting-writer.ts';
import { insertRun } from '../../../src/persistence/runs.ts';
import { openStateDb, type StateDb } from '../../../src/persistence/state-db.ts';
import { configWith } from '../../support/backtest-env.ts';
import { LINEAR_MARKET, SPOT_MARKET, syntheticCandles, type SyntheticMarketSpec } from '../../support/synthetic-store.ts';

/**
 * A resumed account is the same account: restore the state a run saved after step k into fresh
 * components (real portfolio, risk gate, fill simulator, loop state, through the saved JSON text),
 * replay the candles up to k to fresh strategies, continue the loop from k + 1, and everything it
 * does from then on is what the uninterrupted run did, to the last bit.
 */

const STEPS = 1500;
const log = silentLogger();

interface Scenario {
  readonly name: string;
  readonly spec: SyntheticMarketSpec;
  readonly sets: readonly string[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'spot, stops and take-profits, cooldowns, daily loss limit',
    spec: SPOT_MARKET,
    sets: ['strategies.enabled=simple_ma,trend_following,rsi_reversion,mean_reversion', 'risk.cooldown_after_loss_bars=6', 'risk.daily_loss_limit_pct=0.8', 'risk.expectancy_min_trades=4', 'risk.expectancy_floor=-1000000', 'execution.slippage_model=atr'],
  },
  {
    name: 'linear perpetuals with shorts, fallback funding and a drawdown halt',
    spec: LINEAR_MARKET,
    sets: ['strategies.enabled=simple_ma,ema_cross,trend_following', 'risk.max_drawdown_pct=4', 'risk.cooldown_after_loss_bars=3', 'risk.sizing=risk'],
  },
];

function configOf(s: Scenario): Config {
  return configWith([`exchange.market=${s.spec.market}`, `market.symbols=${s.spec.symbols.join(',')}`, `market.timeframe=${s.spec.timeframe}`, 'strategies.isolation=inline', ...s.sets]).config;
}

function seriesUpTo(spec: SyntheticMarketSpec, from: number, to: number): Map<string, CandleColumns> {
  return new Map([...syntheticCandles(spec)].map(([s, c]) => [s, sliceColumns(c, from, to)] as const));
}

/** Rows of one run, in commit order, for comparing two runs. */
function rowsOf(db: StateDb, runId: string, afterTs: number): Record<string, unknown[]> {
  const q = (sql: string): unknown[] => db.prepare(sql).all(runId, afterTs);
  return {
    fills: q('SELECT id, order_id, strategy_id, symbol, side, qty, price, fee, slippage, ts, reason FROM fills WHERE run_id = ? AND ts > ? ORDER BY rowid'),
    trades: q('SELECT id, strategy_id, symbol, direction, entry_ts, exit_ts, entry_price, exit_price, qty, gross_pnl, fees, funding, net_pnl, r_multiple, mae, mfe, bars, exit_reason FROM trades WHERE run_id = ? AND exit_ts > ? ORDER BY rowid'),
    equity: q('SELECT ts, cash, equity, exposure, drawdown FROM equity WHERE run_id = ? AND ts > ? ORDER BY ts'),
    decisions: q('SELECT signal_id, approved, reason_code, reason, resized FROM risk_decisions WHERE run_id = ? AND ts > ? ORDER BY rowid'),
    funding: q('SELECT ts, strategy_id, symbol, rate, amount FROM funding_payments WHERE run_id = ? AND ts > ? ORDER BY rowid'),
    riskEvents: q('SELECT ts, code, kind, message FROM risk_events WHERE run_id = ? AND ts > ? ORDER BY seq'),
  };
}

interface Features {
  readonly pending: number;
  readonly protective: number;
  readonly open: number;
  readonly cooldowns: number;
  readonly daily: boolean;
  readonly halted: boolean;
}

function featuresOf(a: ResumableAccount, sim: SimulatedExecution): Features {
  const ex = sim.snapshot();
  const b = a.gate.snapshot().breakers;
  return {
    pending: sim.pendingOrders().length,
    protective: ex.symbols.flatMap((s) => s.positions).filter((p) => p.qty !== 0 && !(Number.isNaN(p.stop) && Number.isNaN(p.takeProfit))).length,
    open: a.portfolio.openPositions().length,
    cooldowns: b.cooldowns.filter((c) => c.until > b.stepIndex).length,
    daily: b.dailyTripped,
    halted: b.halted,
  };
}

async function runLoop(db: StateDb, runId: string, config: Config, a: ResumableAccount, series: Map<string, CandleColumns>, onStep?: (ts: number) => void, warm?: Map<string, CandleColumns>) {
  insertRun(db, { id: runId, mode: 'forward', startedAt: new Date().toISOString(), configSnapshot: '', gitCommit: null, pid: process.pid });
  const symbols = [...series.keys()];
  const hosts = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: false, isolation: 'inline' });
  try {
    // A resumed account's strategies: replayed on what they saw before, their Signals discarded.
    if (warm !== undefined) await hosts.processBatch(mergeColumns(symbols, warm));
    const sink = new AccountingWriter(db, runId, 'batch');
    return await runCandleLoop({
      source: new ReplaySource(series, 64), hosts, execution: a.execution, gate: a.gate, portfolio: a.portfolio, sink,
      atrPeriod: config.execution.atr_period, closeAtEnd: false, state: a.loop, ...(onStep ? { onStep: (s) => onStep(s.ts) } : {}),
    });
  } finally {
    await hosts.stop();
  }
}

function freshAccount(config: Config, initialCash = config.forward.initial_cash): { a: ResumableAccount; sim: SimulatedExecution } {
  const sim = simulatedExecution(config, log);
  return { a: buildResumableAccount(config, initialCash, sim, () => ({})), sim };
}

describe.each(SCENARIOS)('a resumed account ($name)', (scenario) => {
  const config = configOf(scenario);
  const db = openStateDb(mkdtempSync(join(tmpdir(), 'ct-resume-unit-')));
  const identity = accountIdentity(config);
  const saved: Array<{ ts: number; text: string; f: Features }> = [];
  let finalText = '';

  beforeAll(async () => {
    const { a, sim } = freshAccount(config);
    await runLoop(db, 'whole', config, a, seriesUpTo(scenario.spec, 0, STEPS), (ts) => saved.push({ ts, text: encodeAccount(a, a.loop, identity), f: featuresOf(a, sim) }));
    finalText = encodeAccount(a, a.loop, identity);
  }, 60_000);
  afterAll(() => db.close());

  /** Splits where the saved state holds each kind of thing a restart must carry over. */
  function splitWhere(what: string, pick: (f: Features) => boolean): number {
    const k = saved.findIndex((s, i) => i > 100 && i < STEPS - 100 && pick(s.f));
    expect(k, `no step of the run holds ${what}`).toBeGreaterThan(0);
    return k;
  }

  const cases: Array<[string, (f: Features) => boolean]> = [
    ['pending orders and protective orders', (f) => f.pending > 0 && f.protective > 0],
    ['open positions and an active cooldown', (f) => f.open > 0 && f.cooldowns > 0],
    [scenario.spec.market === 'spot' ? 'a tripped daily loss limit' : 'a tripped drawdown halt', (f) => (scenario.spec.market === 'spot' ? f.daily : f.halted)],
  ];

  it.each(cases)('continues exactly as the uninterrupted run from a state with %s', async (what, pick) => {
    const k = splitWhere(what, pick);
    const at = saved[k]!;
    // The text a restart reads back: decoded, checked against the config, restored into fresh components.
    const back = decodeAccount(at.text, config, { account: 'paper', runId: 'whole' });
    const { a } = freshAccount(config, back.initialCash);
    restoreAccount(a, a.loop, back);
    expect(encodeAccount(a, a.loop, identity)).toBe(at.text);
    const runId = `resumed-${k}`;
    await runLoop(db, runId, config, a, seriesUpTo(scenario.spec, k + 1, STEPS), undefined, seriesUpTo(scenario.spec, 0, k + 1));
    const want = rowsOf(db, 'whole', at.ts);
    const got = rowsOf(db, runId, at.ts);
    expect(want.decisions.length, 'risk decisions after the split').toBeGreaterThan(5);
    expect(want.fills.length, 'fills after the split').toBeGreaterThan(0);
    expect(got).toEqual(want);
    expect(encodeAccount(a, a.loop, identity)).toBe(finalText);
  }, 60_000);
});

describe.each(['next_open', 'close'])('the replay of a strategy that reacts to fills (fill model %s)', (fillModel) => {
  it('gives it the account\'s committed fills after the candles of the step each was booked in, as it had them live', async () => {
    const config = configWith([
      'exchange.market=spot', 'market.symbols=BTC/USDT,ETH/USDT', 'market.timeframe=1h', 'strategies.isolation=inline', 'strategies.enabled=fill_tally',
      'strategies.custom_dir=tests/fixtures/custom-strategies', `execution.fill_model=${fillModel}`,
    ]).config;
    const db = openStateDb(mkdtempSync(join(tmpdir(), 'ct-resume-fills-')));
    const symbols = ['BTC/USDT', 'ETH/USDT'];
    const series = seriesUpTo(SPOT_MARKET, 0, 600);
    series.delete('SOL/USDT');
    // The live run: lock-step (one step per batch), its candles recorded as a durable run records them.
    insertRun(db, { id: 'live', mode: 'forward', startedAt: new Date().toISOString(), configSnapshot: '', gitCommit: null, pid: process.pid });
    const { a } = freshAccount(config);
    const live = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: false, isolation: 'inline' });
    expect(live.usesFills).toBe(true);
    await runCandleLoop({
      source: new ReplaySource(series, 1), hosts: live, execution: a.execution, gate: a.gate, portfolio: a.portfolio,
      sink: new AccountingWriter(db, 'live', 'durable', undefined, { recordCandles: true }), atrPeriod: 14, closeAtEnd: false, state: a.loop,
    });
    await live.stop();
    const tally = (db.prepare("SELECT reason FROM signals WHERE run_id = 'live' AND reason LIKE 'tally %'").get() as { reason: string }).reason;
    expect(tally).toMatch(/after 1\d{3} candles and [1-9]\d+ fills$/);
    // A restart: fresh strategy processes replayed on the recorded candles and fills end up where the live one was.
    const fresh = await startStrategyHosts(strategySpecs(config, symbols), config, log, { supervised: false, isolation: 'inline' });
    await replayAccount(db, fresh, config, symbols, [{ id: 'live', status: 'crashed', startedAt: '', resumedFrom: null }]);
    const [end] = await fresh.finish();
    await fresh.stop();
    db.close();
    expect(end!.reason).toBe(tally);
  }, 60_000);
});

describe('a saved account state that cannot be restored', () => {
  const config = configOf(SCENARIOS[0]!);
  const { a } = freshAccount(config);
  a.loop.addSymbols(SPOT_MARKET.symbols);
  const text = encodeAccount(a, a.loop, accountIdentity(config));
  const at = { account: 'paper', runId: 'forward-20240101-000000-abcd' };
  const fail = (t: string, c: Config = config): { code: string; message: string } => {
    try {
      const saved = decodeAccount(t, c, at);
      const fresh = freshAccount(c, saved.initialCash).a;
      restoreAccount(fresh, fresh.loop, saved);
    } catch (e) {
      if (isCtError(e)) return { code: e.code, message: e.message };
      throw e;
    }
    throw new Error('restored without an error');
  };
  const edit = (fn: (s: Record<string, any>) => void): string => {
    const s = parseState(text, 'test') as Record<string, any>;
    fn(s);
    return stringifyState(s);
  };

  it('is refused naming the run, the field and --new-account, never a silent fresh start', () => {
    for (const [t, field] of [
      [edit((s) => (s.v = 99)), 'shape version 99'],
      [edit((s) => (s.portfolio.v = 2)), 'portfolio: shape version 2'],
      [edit((s) => (s.portfolio.cash = 'lots')), 'portfolio.cash: expected a number'],
      [edit((s) => delete s.risk.breakers.stepIndex), 'risk.breakers.stepIndex: expected a number, found nothing'],
      [edit((s) => (s.execution.symbols = {})), 'execution.symbols: expected a list'],
      [edit((s) => (s.loop.symbols[0].atr.n = 3)), 'cannot continue a stream of period 14'],
      ['{"v":1,', 'not valid JSON'],
    ] as const) {
      const e = fail(t);
      expect(e.code).toBe('CT_ERR_ACCOUNT_STATE');
      expect(e.message).toContain(field);
      expect(e.message).toContain('run forward-20240101-000000-abcd');
      expect(e.message).toContain('--new-account');
    }
  });

  it('is refused when the config differs where the state depends on it, naming the key and both values', () => {
    const other = configWith([`exchange.market=spot`, `market.symbols=BTC/USDT,ETH/USDT`, 'market.timeframe=1h', 'strategies.isolation=inline', ...SCENARIOS[0]!.sets]).config;
    const e = fail(text, other);
    expect(e.code).toBe('CT_ERR_ACCOUNT_MISMATCH');
    expect(e.message).toContain('market.symbols = BTC/USDT,ETH/USDT, but the account was traded with BTC/USDT,ETH/USDT,SOL/USDT');
    expect(e.message).toContain('--new-account');
  });

  it('writes every number so that it reads back bit for bit, NaN, infinities and negative zero included', () => {
    const v = { a: [Number.NaN, Infinity, -Infinity, -0, 0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308], b: { $num: 'x' } };
    const back = parseState(stringifyState(v), 'test') as typeof v;
    expect(back.a.map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual(['NaN', 'Infinity', '-Infinity', '-0', '0', String(0.1 + 0.2), '5e-324', '1.7976931348623157e+308']);
    expect(back.b).toEqual({ $num: 'x' });
  });
});
