import { CtError, isCtError } from '../core/errors.ts';
import { timeframeMs, type Timeframe } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type {
  AnyStrategy, IndicatorAccess, PriceSource, Series, SeriesOptions, SignalInput, StrategyContext, StrategyLogger,
} from '../strategy-sdk/contract.ts';
import { Feed, Resampler } from '../strategy-sdk/feed.ts';
import { createIndicatorAccess } from '../strategy-sdk/indicator-access.ts';
import type { ParamsOf, StrategyInputs } from '../strategy-sdk/schema.ts';
import { buildSignal } from '../strategy-sdk/signal-factory.ts';

/**
 * The engine side of one running strategy instance: candle history (growable typed arrays per
 * symbol, resampled higher timeframes), cached indicators, the strategy's intended positions, and
 * the StrategyContext handed to its handlers. Single-threaded and deterministic: the same candles
 * in the same order give the same signals, however they are split into batches.
 */

export type StrategyLogLevel = 'debug' | 'info' | 'warn';
export interface StrategyLogRecord {
  readonly level: StrategyLogLevel;
  readonly msg: string;
  readonly instanceId: string;
  readonly symbol: string;
  /** Candle ts the strategy was handling (never the wall clock). */
  readonly ts: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}
export type StrategyLogSink = (rec: StrategyLogRecord) => void;

type Phase = 'init' | 'candle' | 'fill' | 'finish' | 'idle';

export interface RuntimeOptions {
  readonly instanceId: string;
  readonly strategyId: string;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly market: MarketType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly warmup: number;
  readonly log: StrategyLogSink;
}

/** The context type every loaded strategy is driven with (params typed loosely, checked by the schema). */
type RuntimeContext = StrategyContext<ParamsOf<StrategyInputs>, Record<string, unknown>>;

export class StrategyRuntime {
  readonly ctx: RuntimeContext;
  private readonly def: AnyStrategy;
  private readonly o: RuntimeOptions;
  private readonly universe: boolean;
  private readonly baseMs: number;
  private readonly index = new Map<string, number>();
  private readonly base: Feed[];
  private readonly htf = new Map<string, Feed>();
  // Intended position book, per symbol index (see docs/strategies.md "Position model").
  private readonly exposure: Float64Array;
  private readonly entryBar: Float64Array;
  private readonly exitBar: Float64Array;
  private readonly seqTs: Float64Array;
  private readonly seq: Int32Array;
  private readonly inStep: Uint8Array;
  private readonly stepIdx: number[] = [];
  private readonly stepNames: string[] = [];
  private batchSymbols: readonly string[] | null = null;
  private batchMap: Int32Array = new Int32Array(0);
  private out: Signal[] = [];
  private phase: Phase = 'idle';
  private cur = -1; // symbol index being handled, -1 in universe onCandle
  private ts = NaN;
  private lastStepTs = -Infinity;

  constructor(def: AnyStrategy, o: RuntimeOptions, state: Record<string, unknown>) {
    this.def = def;
    this.o = o;
    this.universe = def.schema.universe === true;
    this.baseMs = timeframeMs(o.timeframe);
    o.symbols.forEach((s, i) => this.index.set(s, i));
    const n = o.symbols.length;
    this.base = o.symbols.map((s) => new Feed(s, o.timeframe));
    this.exposure = new Float64Array(n);
    this.entryBar = new Float64Array(n).fill(-1);
    this.exitBar = new Float64Array(n).fill(-1);
    this.seqTs = new Float64Array(n).fill(NaN);
    this.seq = new Int32Array(n);
    this.inStep = new Uint8Array(n);
    this.ctx = this.makeContext(state);
  }

  // ------------------------------------------------------------------ driving ------------------

  init(): void {
    this.run('init', 'onInit', () => this.def.onInit?.(this.ctx), -1);
  }

  processBatch(b: CandleBatch): Signal[] {
    const out: Signal[] = [];
    this.out = out;
    const map = this.mapFor(b.symbols);
    const stepIdx = this.stepIdx;
    const len = b.length;
    let i = 0;
    while (i < len) {
      const ts = b.ts[i]!;
      if (!(ts > this.lastStepTs)) {
        throw new CtError('CT_ERR_INTERNAL', `strategy ${this.o.instanceId}: candle step ${ts} is not after the previous step ${this.lastStepTs} (steps must not repeat or split across batches)`, {
          details: { instanceId: this.o.instanceId, ts, previous: this.lastStepTs },
        });
      }
      if (ts % this.baseMs !== 0) {
        throw new CtError('CT_ERR_CANDLE_INVALID', `strategy ${this.o.instanceId}: candle ts ${ts} is not on the ${this.o.timeframe} grid`, { details: { ts } });
      }
      stepIdx.length = 0;
      let j = i;
      // Append every candle of the step before any handler runs: candles that closed together
      // are all known at this decision time, and nothing later is ever stored.
      for (; j < len && b.ts[j] === ts; j++) {
        const k = map[b.sym[j]!]!;
        if (k < 0) continue; // a symbol this instance is not subscribed to
        if (this.inStep[k] === 1) {
          throw new CtError('CT_ERR_INTERNAL', `strategy ${this.o.instanceId}: two candles for ${this.o.symbols[k]} at step ${ts}`, { details: { ts } });
        }
        this.inStep[k] = 1;
        this.base[k]!.push(ts, b.open[j]!, b.high[j]!, b.low[j]!, b.close[j]!, b.volume[j]!);
        stepIdx.push(k);
      }
      // Symbol order, not row order, so the call order never depends on how rows were packed.
      stepIdx.sort((a, c) => a - c);
      const names = this.stepNames;
      names.length = 0;
      for (const k of stepIdx) {
        names.push(this.o.symbols[k]!);
        this.inStep[k] = 0;
      }
      this.lastStepTs = ts;
      this.ts = ts;
      if (this.universe) {
        let anyReady = false;
        for (let k = 0; k < this.base.length; k++) if (this.base[k]!.candles.length >= this.o.warmup) anyReady = true;
        if (anyReady && stepIdx.length > 0) this.callOnCandle(-1);
      } else {
        for (const k of stepIdx) {
          if (this.base[k]!.candles.length < this.o.warmup) continue;
          this.callOnCandle(k);
        }
      }
      i = j;
    }
    this.out = [];
    return out;
  }

  notifyFills(fills: readonly Fill[]): void {
    const onFill = this.def.onFill;
    if (onFill === undefined) return;
    for (const f of fills) {
      const k = this.index.get(f.symbol);
      if (k === undefined) continue; // a fill of another instance
      this.run('fill', 'onFill', () => onFill(this.ctx, f), k);
    }
  }

  finish(): Signal[] {
    const out: Signal[] = [];
    this.out = out;
    this.run('finish', 'onFinish', () => this.def.onFinish?.(this.ctx), -1);
    this.out = [];
    return out;
  }

  // ------------------------------------------------------------------ internals ----------------

  private mapFor(symbols: readonly string[]): Int32Array {
    if (symbols !== this.batchSymbols) {
      this.batchMap = Int32Array.from(symbols, (s) => this.index.get(s) ?? -1);
      this.batchSymbols = symbols;
    }
    return this.batchMap;
  }

  /** The hot path: no closure allocated per candle. */
  private callOnCandle(k: number): void {
    this.phase = 'candle';
    this.cur = k;
    try {
      this.def.onCandle(this.ctx);
    } catch (e) {
      throw this.wrap(e, 'onCandle');
    } finally {
      this.phase = 'idle';
    }
  }

  private run(phase: Phase, handler: string, fn: () => void, k: number): void {
    this.phase = phase;
    this.cur = k;
    try {
      fn();
    } catch (e) {
      throw this.wrap(e, handler);
    } finally {
      this.phase = 'idle';
    }
  }

  private wrap(e: unknown, handler: string): CtError {
    const symbol = this.cur >= 0 ? this.o.symbols[this.cur]! : this.universe ? '(universe)' : '-';
    // A broken signal is already a precise contract error; keep its code.
    if (isCtError(e) && e.code === 'CT_ERR_SIGNAL_INVALID') return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new CtError(
      'CT_ERR_STRATEGY_THREW',
      `strategy ${this.o.instanceId}: ${handler} threw on ${symbol} at candle ${this.ts}: ${msg}`,
      { cause: e, details: { instanceId: this.o.instanceId, handler, symbol, ts: this.ts, message: msg } },
    );
  }

  private symIndex(symbol: string | undefined, what: string): number {
    if (symbol === undefined) {
      if (this.cur < 0) throw new Error(`${what}: pass a symbol (there is no current symbol in ${this.universe ? 'a universe strategy' : 'this handler'})`);
      return this.cur;
    }
    const k = this.index.get(symbol);
    if (k === undefined) throw new Error(`${what}: symbol ${symbol} is not subscribed (subscribed: ${this.o.symbols.join(', ')})`);
    return k;
  }

  private feed(o: SeriesOptions | undefined, what: string): Feed {
    const k = this.symIndex(o?.symbol, what);
    const base = this.base[k]!;
    const tf = o?.timeframe;
    if (tf === undefined || tf === this.o.timeframe) return base;
    const key = `${base.symbol}|${tf}`;
    let f = this.htf.get(key);
    if (f === undefined) {
      f = new Feed(base.symbol, tf);
      base.attachResampler(new Resampler(this.o.timeframe, f));
      this.htf.set(key, f);
    }
    return f;
  }

  private emit(input: SignalInput): Signal {
    if (this.phase !== 'candle' && this.phase !== 'finish') {
      throw new CtError('CT_ERR_SIGNAL_INVALID', `strategy ${this.o.instanceId}: ctx.signal() called in ${this.phase === 'fill' ? 'onFill' : this.phase === 'init' ? 'onInit' : 'no handler'}; signals may only be emitted from onCandle and onFinish`, {
        details: { instanceId: this.o.instanceId, field: 'phase', value: this.phase },
      });
    }
    const sym = input?.symbol;
    const k = sym === undefined ? this.cur : this.index.get(sym) ?? -2;
    if (k < 0 || this.base[k]!.candles.length === 0) {
      const value = sym ?? '(none)';
      throw new CtError(
        'CT_ERR_SIGNAL_INVALID',
        `strategy ${this.o.instanceId}: signal.symbol = ${value} at candle ${this.ts}: ${k === -1 ? 'universe strategies must name the symbol' : k === -2 ? `not subscribed (subscribed: ${this.o.symbols.join(', ')})` : 'no candle of it has closed yet'}`,
        { details: { instanceId: this.o.instanceId, field: 'symbol', value, ts: this.ts } },
      );
    }
    const symbol = this.o.symbols[k]!;
    if (this.seqTs[k] !== this.ts) {
      this.seqTs[k] = this.ts;
      this.seq[k] = 0;
    }
    const candles = this.base[k]!.candles;
    const s = buildSignal(input, {
      instanceId: this.o.instanceId, market: this.o.market, symbol, ts: this.ts, seq: this.seq[k]!, refPrice: candles.close.last(),
    });
    this.seq[k]!++;
    const before = this.exposure[k]!;
    const after = s.targetExposure;
    const bar = candles.length - 1;
    if (after === 0) {
      if (before !== 0) this.exitBar[k] = bar;
      this.entryBar[k] = -1;
    } else if (before === 0 || Math.sign(before) !== Math.sign(after)) {
      this.entryBar[k] = bar;
    }
    this.exposure[k] = after;
    this.out.push(s);
    return s;
  }

  private makeContext(state: Record<string, unknown>): RuntimeContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const rt = this;
    const o = this.o;
    const ind: IndicatorAccess = createIndicatorAccess((opts) => rt.feed(opts, 'ctx.ind'));
    const logAt = (level: 'debug' | 'info' | 'warn') => (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
      o.log({ level, msg: String(msg), instanceId: o.instanceId, symbol: rt.cur >= 0 ? o.symbols[rt.cur]! : '', ts: rt.ts, ...(fields ? { fields } : {}) });
    };
    const log: StrategyLogger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn') };
    const ctx: RuntimeContext = {
      instanceId: o.instanceId,
      strategyId: o.strategyId,
      params: o.params as ParamsOf<StrategyInputs>,
      state,
      symbols: Object.freeze([...o.symbols]),
      timeframe: o.timeframe,
      market: o.market,
      canShort: o.market !== 'spot',
      get symbol(): string {
        return rt.cur >= 0 ? o.symbols[rt.cur]! : '';
      },
      get ts(): number {
        return rt.ts;
      },
      get stepSymbols(): readonly string[] {
        return rt.stepNames;
      },
      candles(symbol?: string, timeframe?: Timeframe): CandleColumns {
        return rt.feed({ symbol, timeframe }, 'ctx.candles').candles.columns();
      },
      price(source: PriceSource, opts?: SeriesOptions): Series {
        return rt.feed(opts, 'ctx.price').candles.field(source);
      },
      bars(symbol?: string): number {
        return rt.base[rt.symIndex(symbol, 'ctx.bars')]!.candles.length;
      },
      ready(symbol?: string): boolean {
        return rt.base[rt.symIndex(symbol, 'ctx.ready')]!.candles.length >= o.warmup;
      },
      ind,
      position(symbol?: string): number {
        return rt.exposure[rt.symIndex(symbol, 'ctx.position')]!;
      },
      barsSinceEntry(symbol?: string): number {
        const k = rt.symIndex(symbol, 'ctx.barsSinceEntry');
        const e = rt.entryBar[k]!;
        return e < 0 ? -1 : rt.base[k]!.candles.length - 1 - e;
      },
      barsSinceExit(symbol?: string): number {
        const k = rt.symIndex(symbol, 'ctx.barsSinceExit');
        const e = rt.exitBar[k]!;
        return e < 0 ? -1 : rt.base[k]!.candles.length - 1 - e;
      },
      signal(input: SignalInput): Signal {
        return rt.emit(input);
      },
      log,
    };
    return Object.freeze(ctx);
  }
}
