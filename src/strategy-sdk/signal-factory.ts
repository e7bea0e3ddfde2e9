import { CtError } from '../core/errors.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { Signal, SignalKind } from '../domain/signal.ts';
import type { SignalInput } from './contract.ts';

/**
 * Turns a strategy's SignalInput into a frozen, validated Signal. Every rule of the Signal
 * contract is checked here, once, at the source: a bad signal is the strategy's bug and fails as
 * CT_ERR_SIGNAL_INVALID naming the instance, the field, the symbol and the candle — the risk gate
 * downstream can then trust the shape and only decide on size.
 */

const KINDS: ReadonlySet<string> = new Set<SignalKind>(['enter_long', 'enter_short', 'exit', 'target']);

export interface SignalContext {
  readonly instanceId: string;
  readonly market: MarketType;
  readonly symbol: string;
  readonly ts: number;
  readonly seq: number;
  /** Close of the symbol's newest candle: the reference for stop / take-profit sides. */
  readonly refPrice: number;
}

function bad(c: SignalContext, field: string, value: unknown, rule: string): CtError {
  const shown = typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return new CtError(
    'CT_ERR_SIGNAL_INVALID',
    `strategy ${c.instanceId}: signal.${field} = ${shown} on ${c.symbol} at candle ${c.ts}: ${rule}`,
    { details: { instanceId: c.instanceId, field, value, symbol: c.symbol, ts: c.ts } },
  );
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function buildSignal(input: SignalInput, c: SignalContext): Signal {
  if (typeof input !== 'object' || input === null) throw bad(c, '(input)', input, 'ctx.signal() takes an object');
  const kind = input.kind;
  if (!KINDS.has(kind)) throw bad(c, 'kind', kind, 'must be one of enter_long, enter_short, exit, target');

  let exposure: number;
  if (input.targetExposure === undefined) {
    if (kind === 'target') throw bad(c, 'targetExposure', undefined, 'a target signal needs a targetExposure in [-1, 1]');
    exposure = kind === 'enter_long' ? 1 : kind === 'enter_short' ? -1 : 0;
  } else {
    exposure = input.targetExposure;
  }
  if (!isNum(exposure) || exposure < -1 || exposure > 1) throw bad(c, 'targetExposure', exposure, 'must be a finite number in [-1, 1]');
  if (kind === 'enter_long' && !(exposure > 0)) throw bad(c, 'targetExposure', exposure, 'enter_long needs a targetExposure > 0');
  if (kind === 'enter_short' && !(exposure < 0)) throw bad(c, 'targetExposure', exposure, 'enter_short needs a targetExposure < 0');
  if (kind === 'exit' && exposure !== 0) throw bad(c, 'targetExposure', exposure, 'exit means targetExposure 0');
  if (c.market === 'spot' && exposure < 0) {
    throw bad(c, kind === 'enter_short' ? 'kind' : 'targetExposure', kind === 'enter_short' ? kind : exposure, 'spot markets are long-only (no short exposure)');
  }
  // Normalise -0 so that ids, JSON and equality checks never see two zeros.
  if (exposure === 0) exposure = 0;

  const side = exposure > 0 ? 1 : exposure < 0 ? -1 : 0;
  if (input.stop !== undefined) {
    const s = input.stop;
    if (!isNum(s) || s <= 0) throw bad(c, 'stop', s, 'must be a finite price > 0');
    if (side === 0) throw bad(c, 'stop', s, 'an exit / flat target cannot carry a stop');
    if (side > 0 && !(s < c.refPrice)) throw bad(c, 'stop', s, `a long stop must be below the entry reference price ${c.refPrice}`);
    if (side < 0 && !(s > c.refPrice)) throw bad(c, 'stop', s, `a short stop must be above the entry reference price ${c.refPrice}`);
  }
  if (input.takeProfit !== undefined) {
    const t = input.takeProfit;
    if (!isNum(t) || t <= 0) throw bad(c, 'takeProfit', t, 'must be a finite price > 0');
    if (side === 0) throw bad(c, 'takeProfit', t, 'an exit / flat target cannot carry a take-profit');
    if (side > 0 && !(t > c.refPrice)) throw bad(c, 'takeProfit', t, `a long take-profit must be above the entry reference price ${c.refPrice}`);
    if (side < 0 && !(t < c.refPrice)) throw bad(c, 'takeProfit', t, `a short take-profit must be below the entry reference price ${c.refPrice}`);
  }
  const confidence = input.confidence ?? 1;
  if (!isNum(confidence) || confidence < 0 || confidence > 1) throw bad(c, 'confidence', confidence, 'must be a number in [0, 1]');
  if (typeof input.reason !== 'string' || input.reason.trim() === '') throw bad(c, 'reason', input.reason, 'must be a non-empty string saying why');

  const indicators: Record<string, number> = {};
  if (input.indicators !== undefined) {
    if (typeof input.indicators !== 'object' || input.indicators === null) throw bad(c, 'indicators', input.indicators, 'must be an object of numbers');
    // Sorted keys: the snapshot's JSON is then byte-identical however the strategy built it.
    for (const k of Object.keys(input.indicators).sort()) {
      const v = input.indicators[k];
      if (!isNum(v)) throw bad(c, `indicators.${k}`, v, 'snapshot values must be finite numbers (the values that decided)');
      indicators[k] = v;
    }
  }

  const signal: Signal = {
    id: `${c.instanceId}:${c.symbol}:${c.ts}:${c.seq}`,
    strategyId: c.instanceId,
    symbol: c.symbol,
    ts: c.ts,
    kind,
    targetExposure: exposure,
    ...(input.stop !== undefined ? { stop: input.stop } : {}),
    ...(input.takeProfit !== undefined ? { takeProfit: input.takeProfit } : {}),
    confidence,
    reason: input.reason,
    indicators: Object.freeze(indicators),
  };
  return Object.freeze(signal);
}
