/**
 * The gate's account-level and per-strategy breakers: the drawdown circuit breaker (halts new
 * entries for the rest of the run), the daily loss limit (until the next UTC day), the cooldown
 * after a losing trade (per strategy and symbol, counted in candles) and the rolling expectancy
 * floor (per strategy, over its last N closed trades). They only ever block ENTRIES; exits always
 * pass. Trips and clears are RiskEvents, drained by the loop into `risk_events`.
 */
import { StateReader } from '../../core/state-json.ts';
import type { Trade } from '../../domain/trade.ts';
import type { Portfolio } from '../portfolio/portfolio.ts';
import type { RiskConfig } from './risk-config.ts';
import type { RiskReasonCode } from '../../domain/risk-decision.ts';
import type { BreakerCode, RiskEvent } from '../../domain/risk-event.ts';

const DAY_MS = 86_400_000;

export interface EntryBlock {
  readonly code: RiskReasonCode;
  readonly reason: string;
}

/** The breakers' state as plain data: what is tripped, the step clock and UTC day, cooldowns, recent trade results. */
export interface BreakersState {
  readonly v: 1;
  readonly halted: boolean;
  readonly stepIndex: number;
  readonly stepTs: number;
  readonly day: number;
  readonly dailyTripped: boolean;
  readonly cooldowns: ReadonlyArray<{ readonly strategyId: string; readonly symbol: string; readonly until: number }>;
  readonly recentPnl: ReadonlyArray<{ readonly strategyId: string; readonly pnl: readonly number[] }>;
}

export class Breakers {
  private readonly eventLog: RiskEvent[] = [];
  private drained = 0;
  private haltedFlag = false;
  private stepIndex = -1;
  private stepTs = Number.NEGATIVE_INFINITY;
  private day = Number.NaN;
  private dailyTripped = false;
  /** (strategy, symbol) -> first step index at which entries are allowed again. */
  private readonly cooldownUntil = new Map<string, number>();
  /** strategy -> net PnL of its last `expectancyMinTrades` closed trades. */
  private readonly recentPnl = new Map<string, number[]>();

  constructor(
    private readonly cfg: RiskConfig,
    private readonly portfolio: Portfolio,
  ) {}

  get halted(): boolean {
    return this.haltedFlag;
  }

  /**
   * Once per loop step, before its signals: the day roll and the cooldown clock. Time here is the
   * step's candle time `ts`, in every mode, never a clock read: the portfolio starts its UTC day
   * (`dayStartEquity`) from the mark of the same step ts, so gate and portfolio always agree on the
   * day; a wall clock would put them on different days around midnight in live trading (it reads
   * close time plus latency) and make a live session impossible to replay from its candles.
   */
  onStep(ts: number): void {
    this.stepIndex++;
    this.stepTs = ts;
    const day = Math.floor(ts / DAY_MS);
    if (day !== this.day) {
      if (this.dailyTripped) this.event(ts, 'DAILY_LOSS_LIMIT', 'cleared', `new UTC day ${new Date(day * DAY_MS).toISOString().slice(0, 10)}: entries allowed again`);
      this.day = day;
      this.dailyTripped = false;
    }
  }

  onTradeClosed(t: Trade): void {
    if (this.cfg.cooldownAfterLossBars > 0 && t.netPnl < 0) {
      // In the loop the closing fill is booked before onStep of its candle: that candle is the first
      // of the cooldown. A fill booked after onStep (close fill model) starts it on the next candle.
      const first = t.exitTs <= this.stepTs ? this.stepIndex : this.stepIndex + 1;
      this.cooldownUntil.set(pairKey(t.strategyId, t.symbol), first + this.cfg.cooldownAfterLossBars);
    }
    const n = this.cfg.expectancyMinTrades;
    if (n > 0) {
      let r = this.recentPnl.get(t.strategyId);
      if (r === undefined) this.recentPnl.set(t.strategyId, (r = []));
      r.push(t.netPnl);
      if (r.length > n) r.shift();
    }
  }

  /** Trips the account-level breakers the current equity calls for (before each decision). */
  check(ts: number): void {
    if (this.cfg.maxDrawdownPct > 0 && !this.haltedFlag) {
      const dd = this.portfolio.drawdownNow() * 100;
      if (dd >= this.cfg.maxDrawdownPct - 1e-9) {
        this.haltedFlag = true;
        this.event(ts, 'DRAWDOWN_HALT', 'tripped', `account drawdown ${dd.toFixed(4)}% >= max_drawdown_pct ${this.cfg.maxDrawdownPct}: new entries halted for the rest of the run (peak ${fmtAmount(this.portfolio.peakEquity)}, equity ${fmtAmount(this.portfolio.equity())})`);
      }
    }
    if (this.cfg.dailyLossLimitPct > 0 && !this.dailyTripped) {
      const start = this.portfolio.dayStartEquity;
      const loss = start > 0 ? ((start - this.portfolio.equity()) / start) * 100 : 0;
      if (loss >= this.cfg.dailyLossLimitPct - 1e-9) {
        this.dailyTripped = true;
        this.event(ts, 'DAILY_LOSS_LIMIT', 'tripped', `loss ${loss.toFixed(4)}% since the UTC day's first equity ${fmtAmount(start)} >= daily_loss_limit_pct ${this.cfg.dailyLossLimitPct}: entries blocked until the next UTC day`);
      }
    }
  }

  /** Why a new entry by `strategyId` on `symbol` is blocked right now, or undefined. */
  entryBlock(strategyId: string, symbol: string): EntryBlock | undefined {
    if (this.haltedFlag) return { code: 'DRAWDOWN_HALT', reason: `drawdown circuit breaker tripped (>= ${this.cfg.maxDrawdownPct}%): no new entries for the rest of the run` };
    if (this.dailyTripped) return { code: 'DAILY_LOSS_LIMIT', reason: `daily loss >= ${this.cfg.dailyLossLimitPct}% of the day's first equity ${fmtAmount(this.portfolio.dayStartEquity)}: entries blocked until the next UTC day` };
    const until = this.cooldownUntil.get(pairKey(strategyId, symbol));
    if (until !== undefined && this.stepIndex < until) {
      return { code: 'COOLDOWN_AFTER_LOSS', reason: `${strategyId} ${symbol}: a losing trade closed; ${until - this.stepIndex} of ${this.cfg.cooldownAfterLossBars} cooldown candles left` };
    }
    const n = this.cfg.expectancyMinTrades;
    if (n > 0) {
      const r = this.recentPnl.get(strategyId);
      if (r !== undefined && r.length >= n) {
        const mean = r.reduce((a, b) => a + b, 0) / r.length;
        if (mean < this.cfg.expectancyFloor) return { code: 'EXPECTANCY_FLOOR', reason: `${strategyId}: mean net PnL ${fmtAmount(mean)} over its last ${n} trades < floor ${this.cfg.expectancyFloor}` };
      }
    }
    return undefined;
  }

  /** Every breaker event so far, in order. */
  events(): readonly RiskEvent[] {
    return this.eventLog;
  }

  /** Events since the previous call. */
  drainEvents(): RiskEvent[] {
    const out = this.eventLog.slice(this.drained);
    this.drained = this.eventLog.length;
    return out;
  }

  /**
   * Everything that decides future blocks, as plain data. The step clock goes on counting in the
   * next process, so a cooldown counts traded candles across a restart (a downtime does not shorten it).
   * Events already drained are recorded; they are not part of it.
   */
  state(): BreakersState {
    return {
      v: 1, halted: this.haltedFlag, stepIndex: this.stepIndex, stepTs: this.stepTs, day: this.day, dailyTripped: this.dailyTripped,
      cooldowns: [...this.cooldownUntil].map(([k, until]) => {
        const [strategyId, symbol] = k.split('\u0000') as [string, string];
        return { strategyId, symbol, until };
      }),
      recentPnl: [...this.recentPnl].map(([strategyId, pnl]) => ({ strategyId, pnl: [...pnl] })),
    };
  }

  /** Continues from `state` (every field checked; CT_ERR_ACCOUNT_STATE naming it otherwise). Call on fresh breakers. */
  setState(state: unknown): void {
    const r = new StateReader(state, 'risk.breakers').version(1);
    const cooldowns = r.list('cooldowns').map((c) => [pairKey(c.str('strategyId'), c.str('symbol')), c.int('until')] as const);
    const recent = r.list('recentPnl').map((x) => [x.str('strategyId'), x.nums('pnl')] as const);
    this.haltedFlag = r.bool('halted');
    this.stepIndex = r.int('stepIndex');
    this.stepTs = r.num('stepTs');
    this.day = r.num('day');
    this.dailyTripped = r.bool('dailyTripped');
    this.cooldownUntil.clear();
    for (const [k, until] of cooldowns) this.cooldownUntil.set(k, until);
    this.recentPnl.clear();
    for (const [sid, pnl] of recent) this.recentPnl.set(sid, pnl);
  }

  private event(ts: number, code: BreakerCode, kind: RiskEvent['kind'], message: string): void {
    this.eventLog.push({ ts, code, kind, message });
  }
}

export function pairKey(strategyId: string, symbol: string): string {
  return `${strategyId}\u0000${symbol}`;
}

/** Amounts in messages: 10 significant digits, no float noise. */
export function fmtAmount(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(10))) : String(x);
}
