import { CtError, isCtError } from '../core/errors.ts';
import { timeframeMs, type Timeframe } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type {
  AnyStrategy, IndicatorAccess, PriceSource, Series, SeriesOptions, SignalInput, StrategyContext, StrategyLogger,
} from '../strategy-sdk/contract.ts';
import { Feed, Resampler } from '../strategy-sdk/feed.ts';
import { createIndicatorAccess } from '../strategy-sdk/indicator-access.ts';
import { crossParamProblem } from './cross-param-check.ts';
import { validateParams, type ParamsOf, type StrategyInputs, type StrategySchema } from '../strategy-sdk/schema.ts';
import { buildSignal } from '../strategy-sdk/signal-factory.ts';
import { IntendedPositions } from './intended-positions.ts';
import { loadStrategy, type LoadOptions } from './loader.ts';
import { checkSpec, type StrategySpec } from './strategy-spec.ts';

/**
 * StrategyRunner: the ONE way the engine drives a strategy instance, in-process (inline host,
 * look-ahead check, parameter check) or inside a child process / worker thread (strategy guest).
 * It loads the module, validates the parameters against its schema, and then holds everything the
 * instance has seen: candle history (growable typed arrays per symbol, resampled higher
 * timeframes), cached indicators, the strategy's intended positions, and the StrategyContext its
 * handlers get. Single-threaded and deterministic: the same candles give the same signals however
 * they are split into batches (a batch must not split a step, i.e. the candles sharing a ts).
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

export interface RunnerOptions extends LoadOptions {
  /** Where ctx.log records go (default: dropped). Hosts forward them to the daemon's logger. */
  readonly log?: StrategyLogSink;
}

const DROP_LOGS: StrategyLogSink = () => {};

type Phase = 'init' | 'candle' | 'fill' | 'finish' | 'idle';

/** The context type every loaded strategy is driven with (params typed loosely, checked by the schema). */
type RunnerContext = StrategyContext<ParamsOf<StrategyInputs>, Record<string, unknown>>;

export class StrategyRunner {
  /** true when the module exports onFill: the engine must drive it in lock-step (batch of 1 step). */
  readonly usesFills: boolean;
  /** Candles per symbol needed before the strategy decides (onCandle is not called before). */
  readonly warmup: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly spec: Readonly<StrategySpec>;
  private readonly ctx: RunnerContext;
  private readonly def: AnyStrategy;
  private readonly log: StrategyLogSink;
  private readonly symbols: readonly string[];
  private readonly universe: boolean;
  private readonly baseMs: number;
  private readonly index = new Map<string, number>();
  private readonly base: Feed[];
  private readonly htf = new Map<string, Feed>();
  private readonly positions: IntendedPositions;
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

  private constructor(spec: StrategySpec, def: AnyStrategy, params: Readonly<Record<string, unknown>>, warmup: number, state: Record<string, unknown>, log: StrategyLogSink) {
    this.spec = Object.freeze({ ...spec, symbols: [...spec.symbols] });
    this.def = def;
    this.params = params;
    this.warmup = warmup;
    this.usesFills = def.onFill !== undefined;
    this.log = log;
    this.symbols = this.spec.symbols;
    this.universe = def.schema.universe === true;
    this.baseMs = timeframeMs(spec.timeframe);
    this.symbols.forEach((s, i) => this.index.set(s, i));
    this.base = this.symbols.map((s) => new Feed(s, spec.timeframe));
    this.positions = new IntendedPositions(this.symbols.length);
    this.inStep = new Uint8Array(this.symbols.length);
    this.ctx = this.makeContext(state);
  }

  /**
   * Loads the module, validates params against its schema (frozen), runs onInit. Every failure is
   * a CtError (a non-CtError surprise becomes CT_ERR_STRATEGY_LOAD naming the instance).
   */
  static async create(spec: StrategySpec, opts: RunnerOptions = {}): Promise<StrategyRunner> {
    try {
      return await StrategyRunner.build(spec, opts);
    } catch (e) {
      if (isCtError(e)) throw e;
      throw new CtError('CT_ERR_STRATEGY_LOAD', `strategy ${spec?.instanceId}: could not be created: ${(e as Error)?.message ?? String(e)}`, {
        cause: e,
        details: { instanceId: spec?.instanceId },
      });
    }
  }

  private static async build(spec: StrategySpec, opts: RunnerOptions): Promise<StrategyRunner> {
    checkSpec(spec);
    const loaded = await loadStrategy(spec.source, opts);
    const { def, schema } = loaded;
    if (schema.id !== spec.strategyId) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: schema.id is "${schema.id}" but the spec asks for strategy "${spec.strategyId}"`, {
        details: { where: loaded.where, value: schema.id },
      });
    }
    const params = validateParams(schema, spec.params);
    const problem = crossParamProblem(def, params, spec.instanceId);
    if (problem !== undefined) {
      throw new CtError('CT_ERR_STRATEGY_PARAM_INVALID', problem.message, { details: { key: problem.key, value: params[problem.param] } });
    }
    const warmup = callUser(spec, 'warmup', () => (def.warmup ? def.warmup(params) : 1));
    if (!Number.isInteger(warmup) || warmup < 1) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: warmup(params) must return an integer >= 1, got ${String(warmup)}`, { details: { where: loaded.where, value: warmup } });
    }
    const state = callUser(spec, 'initialState', () => (def.initialState ? def.initialState(params) : {}));
    if (typeof state !== 'object' || state === null) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: initialState(params) must return an object`, { details: { where: loaded.where } });
    }
    const runner = new StrategyRunner(spec, def, params, warmup, state as Record<string, unknown>, opts.log ?? DROP_LOGS);
    runner.run('init', 'onInit', () => def.onInit?.(runner.ctx), -1);
    return runner;
  }

  // ------------------------------------------------------------------ driving ------------------

  /**
   * Feeds a batch (steps in increasing ts). For each step: all its candles are appended to
   * history, then onCandle runs once per candle in subscribed-symbol order (per-symbol strategies,
   * from the warm-up-th candle of that symbol on) or once per step (universe strategies). Returns
   * every signal emitted, in emission order.
   */
  processBatch(b: CandleBatch): Signal[] {
    const out: Signal[] = [];
    this.out = out;
    const map = this.mapFor(b.symbols);
    const stepIdx = this.stepIdx;
    const len = b.length;
    const id = this.spec.instanceId;
    let i = 0;
    while (i < len) {
      const ts = b.ts[i]!;
      if (!(ts > this.lastStepTs)) {
        throw new CtError('CT_ERR_INTERNAL', `strategy ${id}: candle step ${ts} is not after the previous step ${this.lastStepTs} (steps must not repeat or split across batches)`, {
          details: { instanceId: id, ts, previous: this.lastStepTs },
        });
      }
      if (ts % this.baseMs !== 0) {
        throw new CtError('CT_ERR_CANDLE_INVALID', `strategy ${id}: candle ts ${ts} is not on the ${this.spec.timeframe} grid`, { details: { ts } });
      }
      stepIdx.length = 0;
      let j = i;
      // Append every candle of the step before any handler runs: candles that closed together
      // are all known at this decision time, and nothing later is ever stored.
      for (; j < len && b.ts[j] === ts; j++) {
        const k = map[b.sym[j]!]!;
        if (k < 0) continue; // a symbol this instance is not subscribed to
        if (this.inStep[k] === 1) {
          throw new CtError('CT_ERR_INTERNAL', `strategy ${id}: two candles for ${this.symbols[k]} at step ${ts}`, { details: { ts } });
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
        names.push(this.symbols[k]!);
        this.inStep[k] = 0;
      }
      this.lastStepTs = ts;
      this.ts = ts;
      if (this.universe) {
        let anyReady = false;
        for (let k = 0; k < this.base.length; k++) if (this.base[k]!.candles.length >= this.warmup) anyReady = true;
        if (anyReady && stepIdx.length > 0) this.callOnCandle(-1);
      } else {
        for (const k of stepIdx) {
          if (this.base[k]!.candles.length < this.warmup) continue;
          this.callOnCandle(k);
        }
      }
      i = j;
    }
    this.out = [];
    return out;
  }

  /** Calls onFill for each fill of this instance's symbols (informational; no signals). */
  notifyFills(fills: readonly Fill[]): void {
    const onFill = this.def.onFill;
    if (onFill === undefined) return;
    for (const f of fills) {
      const k = this.index.get(f.symbol);
      if (k === undefined) continue; // a fill of another instance
      this.run('fill', 'onFill', () => onFill(this.ctx, f), k);
    }
  }

  /** Calls onFinish (end of data / shutdown); it may emit signals, stamped at the last step. */
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
    const id = this.spec.instanceId;
    const symbol = this.cur >= 0 ? this.symbols[this.cur]! : this.universe ? '(universe)' : '-';
    // A broken signal is already a precise contract error; keep its code.
    if (isCtError(e) && e.code === 'CT_ERR_SIGNAL_INVALID') return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new CtError(
      'CT_ERR_STRATEGY_THREW',
      `strategy ${id}: ${handler} threw on ${symbol} at candle ${this.ts}: ${msg}`,
      { cause: e, details: { instanceId: id, handler, symbol, ts: this.ts, message: msg } },
    );
  }

  private symIndex(symbol: string | undefined, what: string): number {
    if (symbol === undefined) {
      if (this.cur < 0) throw new Error(`${what}: pass a symbol (there is no current symbol in ${this.universe ? 'a universe strategy' : 'this handler'})`);
      return this.cur;
    }
    const k = this.index.get(symbol);
    if (k === undefined) throw new Error(`${what}: symbol ${symbol} is not subscribed (subscribed: ${this.symbols.join(', ')})`);
    return k;
  }

  private feed(o: SeriesOptions | undefined, what: string): Feed {
    const k = this.symIndex(o?.symbol, what);
    const base = this.base[k]!;
    const tf = o?.timeframe;
    if (tf === undefined || tf === this.spec.timeframe) return base;
    const key = `${base.symbol}|${tf}`;
    let f = this.htf.get(key);
    if (f === undefined) {
      f = new Feed(base.symbol, tf);
      base.attachResampler(new Resampler(this.spec.timeframe, f));
      this.htf.set(key, f);
    }
    return f;
  }

  private emit(input: SignalInput): Signal {
    const id = this.spec.instanceId;
    if (this.phase !== 'candle' && this.phase !== 'finish') {
      throw new CtError('CT_ERR_SIGNAL_INVALID', `strategy ${id}: ctx.signal() called in ${this.phase === 'fill' ? 'onFill' : this.phase === 'init' ? 'onInit' : 'no handler'}; signals may only be emitted from onCandle and onFinish`, {
        details: { instanceId: id, field: 'phase', value: this.phase },
      });
    }
    const sym = input?.symbol;
    const k = sym === undefined ? this.cur : this.index.get(sym) ?? -2;
    if (k < 0 || this.base[k]!.candles.length === 0) {
      const value = sym ?? '(none)';
      throw new CtError(
        'CT_ERR_SIGNAL_INVALID',
        `strategy ${id}: signal.symbol = ${value} at candle ${this.ts}: ${k === -1 ? 'universe strategies must name the symbol' : k === -2 ? `not subscribed (subscribed: ${this.symbols.join(', ')})` : 'no candle of it has closed yet'}`,
        { details: { instanceId: id, field: 'symbol', value, ts: this.ts } },
      );
    }
    const candles = this.base[k]!.candles;
    const s = buildSignal(input, {
      instanceId: id, market: this.spec.market, symbol: this.symbols[k]!, ts: this.ts, seq: this.positions.nextSeq(k, this.ts), refPrice: candles.close.last(),
    });
    this.positions.record(k, s.targetExposure, candles.length - 1);
    this.out.push(s);
    return s;
  }

  private makeContext(state: Record<string, unknown>): RunnerContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const rt = this;
    const spec = this.spec;
    const symbols = this.symbols;
    const warmup = this.warmup;
    const ind: IndicatorAccess = createIndicatorAccess((opts) => rt.feed(opts, 'ctx.ind'));
    const logAt = (level: StrategyLogLevel) => (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
      rt.log({ level, msg: String(msg), instanceId: spec.instanceId, symbol: rt.cur >= 0 ? symbols[rt.cur]! : '', ts: rt.ts, ...(fields ? { fields } : {}) });
    };
    const log: StrategyLogger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn') };
    const bars = (k: number): number => rt.base[k]!.candles.length;
    const ctx: RunnerContext = {
      instanceId: spec.instanceId,
      strategyId: spec.strategyId,
      params: this.params as ParamsOf<StrategyInputs>,
      state,
      symbols: Object.freeze([...symbols]),
      timeframe: spec.timeframe,
      market: spec.market,
      canShort: spec.market !== 'spot',
      get symbol(): string {
        return rt.cur >= 0 ? symbols[rt.cur]! : '';
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
        return bars(rt.symIndex(symbol, 'ctx.bars'));
      },
      ready(symbol?: string): boolean {
        return bars(rt.symIndex(symbol, 'ctx.ready')) >= warmup;
      },
      ind,
      position(symbol?: string): number {
        return rt.positions.exposureOf(rt.symIndex(symbol, 'ctx.position'));
      },
      barsSinceEntry(symbol?: string): number {
        const k = rt.symIndex(symbol, 'ctx.barsSinceEntry');
        return rt.positions.barsSinceEntry(k, bars(k));
      },
      barsSinceExit(symbol?: string): number {
        const k = rt.symIndex(symbol, 'ctx.barsSinceExit');
        return rt.positions.barsSinceExit(k, bars(k));
      },
      signal(input: SignalInput): Signal {
        return rt.emit(input);
      },
      log,
    };
    return Object.freeze(ctx);
  }
}

/** Runs a user function outside the candle loop, turning a throw into CT_ERR_STRATEGY_THREW. */
function callUser<T>(spec: StrategySpec, handler: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isCtError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CtError('CT_ERR_STRATEGY_THREW', `strategy ${spec.instanceId}: ${handler} threw: ${msg}`, {
      cause: e, details: { instanceId: spec.instanceId, handler, message: msg },
    });
  }
}
