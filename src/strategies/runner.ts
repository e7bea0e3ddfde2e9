import { CtError, isCtError } from '../core/errors.ts';
import { parseTimeframe, type Timeframe } from '../core/timeframe.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { AnyStrategy } from '../strategy-sdk/contract.ts';
import { loadStrategy, type LoadOptions, type StrategySource } from './loader.ts';
import { StrategyRuntime, type StrategyLogSink } from './runtime.ts';
import { validateParams, type StrategySchema } from '../strategy-sdk/schema.ts';

export { resolveStrategySource, discoverStrategies, BUILTIN_IDS, type StrategySource } from './loader.ts';
export type { StrategyLogRecord, StrategyLogSink } from './runtime.ts';

/**
 * The ONE way the engine drives a strategy, in-process or inside a child process / worker thread.
 * A runner is single-threaded and deterministic: the same candles give the same signals however
 * they are split into batches (a batch must not split a step, i.e. the candles sharing a ts).
 */
export interface StrategySpec {
  /** Unique per running instance, e.g. "simple_ma" or "simple_ma#2"; prefixes every signal id. */
  instanceId: string;
  /** Schema id of the module (must equal the loaded schema's id). */
  strategyId: string;
  source: StrategySource;
  /** Raw from config [strategy.<id>] (text or typed); validated and defaulted here. */
  params: Record<string, unknown>;
  /** Subscribed symbols (the run's symbols), in the order steps are handled. */
  symbols: string[];
  /** Base timeframe of the loop. */
  timeframe: Timeframe;
  /** 'spot' => long only. */
  market: MarketType;
}

export interface RunnerOptions extends LoadOptions {
  /** Where ctx.log records go (default: dropped). Hosts forward them to the daemon's logger. */
  readonly log?: StrategyLogSink;
}

const DROP_LOGS: StrategyLogSink = () => {};

export class StrategyRunner {
  /** true when the module exports onFill: the engine must drive it in lock-step (batch of 1 step). */
  readonly usesFills: boolean;
  /** Candles per symbol needed before the strategy decides (onCandle is not called before). */
  readonly warmup: number;
  readonly schema: StrategySchema;
  readonly params: Readonly<Record<string, unknown>>;
  readonly spec: Readonly<StrategySpec>;
  private readonly rt: StrategyRuntime;

  private constructor(spec: StrategySpec, schema: StrategySchema, params: Readonly<Record<string, unknown>>, warmup: number, rt: StrategyRuntime, usesFills: boolean) {
    this.spec = Object.freeze({ ...spec, symbols: [...spec.symbols] });
    this.schema = schema;
    this.params = params;
    this.warmup = warmup;
    this.rt = rt;
    this.usesFills = usesFills;
  }

  /** Loads the module, validates params against its schema (frozen), runs onInit. */
  static async create(spec: StrategySpec, opts: RunnerOptions = {}): Promise<StrategyRunner> {
    checkSpec(spec);
    const loaded = await loadStrategy(spec.source, opts);
    const { def, schema } = loaded;
    if (schema.id !== spec.strategyId) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: schema.id is "${schema.id}" but the spec asks for strategy "${spec.strategyId}"`, {
        details: { where: loaded.where, value: schema.id },
      });
    }
    const params = validateParams(schema, spec.params);
    const problem = callUser(spec, 'checkParams', () => def.checkParams?.(params));
    if (problem !== undefined) {
      const key = `strategy.${schema.id}.${problem.param}`;
      throw new CtError('CT_ERR_STRATEGY_PARAM_INVALID', `${key} = ${String(params[problem.param])} is not allowed: ${problem.message}`, {
        details: { key, value: params[problem.param] },
      });
    }
    const warmup = callUser(spec, 'warmup', () => (def.warmup ? def.warmup(params) : 1));
    if (!Number.isInteger(warmup) || warmup < 1) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: warmup(params) must return an integer >= 1, got ${String(warmup)}`, { details: { where: loaded.where, value: warmup } });
    }
    const state = callUser(spec, 'initialState', () => (def.initialState ? def.initialState(params) : {}));
    if (typeof state !== 'object' || state === null) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: initialState(params) must return an object`, { details: { where: loaded.where } });
    }
    const rt = new StrategyRuntime(def as AnyStrategy, {
      instanceId: spec.instanceId, strategyId: spec.strategyId, symbols: [...spec.symbols], timeframe: spec.timeframe, market: spec.market,
      params, warmup, log: opts.log ?? DROP_LOGS,
    }, state as Record<string, unknown>);
    rt.init();
    return new StrategyRunner(spec, schema, params, warmup, rt, def.onFill !== undefined);
  }

  /**
   * Feeds a batch (steps in increasing ts). For each step: all its candles are appended to
   * history, then onCandle runs once per candle in subscribed-symbol order (per-symbol strategies,
   * from the warm-up-th candle of that symbol on) or once per step (universe strategies). Returns
   * every signal emitted, in emission order.
   */
  processBatch(batch: CandleBatch): Signal[] {
    return this.rt.processBatch(batch);
  }

  /** Calls onFill for each fill of this instance's symbols (informational; no signals). */
  notifyFills(fills: readonly Fill[]): void {
    this.rt.notifyFills(fills);
  }

  /** Calls onFinish (end of data / shutdown); it may emit signals, stamped at the last step. */
  finish(): Signal[] {
    return this.rt.finish();
  }
}

function checkSpec(spec: StrategySpec): void {
  const bad = (field: string, value: unknown, rule: string): CtError =>
    new CtError('CT_ERR_INTERNAL', `strategy spec ${String(spec?.instanceId)}: ${field} = ${JSON.stringify(value)} ${rule}`, { details: { field, value } });
  if (typeof spec.instanceId !== 'string' || spec.instanceId === '' || spec.instanceId.includes(':')) throw bad('instanceId', spec.instanceId, 'must be a non-empty string without ":" (it prefixes signal ids)');
  if (!Array.isArray(spec.symbols) || spec.symbols.length === 0) throw bad('symbols', spec.symbols, 'must list at least one symbol');
  if (new Set(spec.symbols).size !== spec.symbols.length) throw bad('symbols', spec.symbols, 'must not repeat a symbol');
  parseTimeframe(spec.timeframe, `strategy ${spec.instanceId} timeframe`);
  if (spec.market !== 'spot' && spec.market !== 'linear') throw bad('market', spec.market, 'must be spot or linear');
  if (typeof spec.params !== 'object' || spec.params === null) throw bad('params', spec.params, 'must be an object');
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
