import { closest } from 'fastest-levenshtein';
import { CtError } from '../core/errors.ts';

/**
 * A strategy's schema: who it is and which parameters it takes. The schema is plain data so it can
 * be listed (`strategies list`), written into run reports and validated before any strategy code
 * runs. Parameters from config arrive as text (`[strategy.<id>]` in config.ini), so validation also
 * parses numbers and booleans from strings — strictly: "20" is an int, "20abc" is an error.
 */

export interface IntInput {
  readonly type: 'int';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
}
export interface FloatInput {
  readonly type: 'float';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
}
export interface BoolInput {
  readonly type: 'bool';
  readonly default: boolean;
  readonly description?: string;
}
export interface SelectInput {
  readonly type: 'select';
  readonly default: string;
  readonly options: readonly string[];
  readonly description?: string;
}
export type StrategyInput = IntInput | FloatInput | BoolInput | SelectInput;
export type StrategyInputs = Readonly<Record<string, StrategyInput>>;

export interface StrategySchema<I extends StrategyInputs = StrategyInputs> {
  /** Stable id: lowercase snake_case, the `[strategy.<id>]` config section and the custom file name. */
  readonly id: string;
  readonly name: string;
  /** The strategy's own version (semver text); recorded with every run. */
  readonly version: string;
  readonly description: string;
  readonly inputs: I;
  /**
   * false (default): onCandle runs once per closed candle per subscribed symbol, with ctx.symbol set.
   * true: onCandle runs once per step (all candles that closed together), for universe strategies
   * that compare symbols (e.g. cross-sectional momentum).
   */
  readonly universe?: boolean;
}

/** The typed, validated parameters of a schema's inputs. */
export type ParamsOf<I extends StrategyInputs> = {
  readonly [K in keyof I]: I[K] extends BoolInput
    ? boolean
    : I[K] extends { readonly type: 'select'; readonly options: readonly (infer O)[] }
      ? O
      : number;
};

const ID_RE = /^[a-z][a-z0-9_]*$/;
const VERSION_RE = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function loadError(where: string, message: string, value?: unknown): CtError {
  return new CtError('CT_ERR_STRATEGY_LOAD', `${where}: ${message}`, { details: { where, value } });
}

/**
 * Checks that a schema object (from a strategy module) satisfies the contract. `where` names the
 * module (file path or builtin id). Throws CT_ERR_STRATEGY_LOAD naming the schema field.
 */
export function validateSchema(schema: unknown, where: string): StrategySchema {
  if (typeof schema !== 'object' || schema === null) throw loadError(where, 'the module does not export a schema object', schema);
  const s = schema as Record<string, unknown>;
  if (typeof s.id !== 'string' || !ID_RE.test(s.id)) {
    throw loadError(where, `schema.id must be lowercase snake_case (${ID_RE.source}), got ${JSON.stringify(s.id)}`, s.id);
  }
  for (const k of ['name', 'description'] as const) {
    if (typeof s[k] !== 'string' || (s[k] as string).trim() === '') throw loadError(where, `schema.${k} must be a non-empty string`, s[k]);
  }
  if (typeof s.version !== 'string' || !VERSION_RE.test(s.version)) {
    throw loadError(where, `schema.version must be semver text like "1.0.0", got ${JSON.stringify(s.version)}`, s.version);
  }
  if (s.universe !== undefined && typeof s.universe !== 'boolean') throw loadError(where, 'schema.universe must be a boolean', s.universe);
  if (typeof s.inputs !== 'object' || s.inputs === null || Array.isArray(s.inputs)) throw loadError(where, 'schema.inputs must be an object of inputs', s.inputs);
  for (const [name, raw] of Object.entries(s.inputs as Record<string, unknown>)) {
    const at = `schema.inputs.${name}`;
    if (!ID_RE.test(name)) throw loadError(where, `${at}: input names must be lowercase snake_case`, name);
    if (typeof raw !== 'object' || raw === null) throw loadError(where, `${at} must be an object`, raw);
    const inp = raw as Record<string, unknown>;
    switch (inp.type) {
      case 'int':
      case 'float': {
        const isInt = inp.type === 'int';
        const okNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && (!isInt || Number.isInteger(v));
        if (!okNum(inp.default)) throw loadError(where, `${at}.default must be a finite ${isInt ? 'integer' : 'number'}`, inp.default);
        for (const b of ['min', 'max'] as const) {
          if (inp[b] !== undefined && !okNum(inp[b])) throw loadError(where, `${at}.${b} must be a finite ${isInt ? 'integer' : 'number'}`, inp[b]);
        }
        const d = inp.default as number;
        if (inp.min !== undefined && inp.max !== undefined && (inp.min as number) > (inp.max as number)) {
          throw loadError(where, `${at}: min ${String(inp.min)} > max ${String(inp.max)}`);
        }
        if ((inp.min !== undefined && d < (inp.min as number)) || (inp.max !== undefined && d > (inp.max as number))) {
          throw loadError(where, `${at}.default ${d} is outside [${String(inp.min ?? '-inf')}, ${String(inp.max ?? 'inf')}]`, d);
        }
        break;
      }
      case 'bool':
        if (typeof inp.default !== 'boolean') throw loadError(where, `${at}.default must be true or false`, inp.default);
        break;
      case 'select': {
        const opts = inp.options;
        if (!Array.isArray(opts) || opts.length === 0 || !opts.every((o) => typeof o === 'string')) {
          throw loadError(where, `${at}.options must be a non-empty array of strings`, opts);
        }
        if (typeof inp.default !== 'string' || !opts.includes(inp.default)) throw loadError(where, `${at}.default ${JSON.stringify(inp.default)} is not one of its options (${opts.join(', ')})`, inp.default);
        break;
      }
      default:
        throw loadError(where, `${at}.type must be int, float, bool or select, got ${JSON.stringify(inp.type)}`, inp.type);
    }
    if (inp.description !== undefined && typeof inp.description !== 'string') throw loadError(where, `${at}.description must be a string`, inp.description);
  }
  return schema as StrategySchema;
}

function allowedText(inp: StrategyInput): string {
  switch (inp.type) {
    case 'int':
    case 'float': {
      const kind = inp.type === 'int' ? 'an integer' : 'a number';
      if (inp.min !== undefined && inp.max !== undefined) return `${kind} in [${inp.min}, ${inp.max}]`;
      if (inp.min !== undefined) return `${kind} >= ${inp.min}`;
      if (inp.max !== undefined) return `${kind} <= ${inp.max}`;
      return kind;
    }
    case 'bool':
      return 'true or false';
    case 'select':
      return `one of ${inp.options.join(', ')}`;
  }
}

function parseOne(inp: StrategyInput, raw: unknown): { ok: true; value: number | boolean | string } | { ok: false } {
  switch (inp.type) {
    case 'int':
    case 'float': {
      let v: number;
      if (typeof raw === 'number') v = raw;
      else if (typeof raw === 'string' && (inp.type === 'int' ? INT_TEXT : FLOAT_TEXT).test(raw.trim())) v = Number(raw.trim());
      else return { ok: false };
      if (!Number.isFinite(v) || (inp.type === 'int' && !Number.isInteger(v))) return { ok: false };
      if ((inp.min !== undefined && v < inp.min) || (inp.max !== undefined && v > inp.max)) return { ok: false };
      return { ok: true, value: v };
    }
    case 'bool':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true') return { ok: true, value: true };
      if (raw === 'false') return { ok: true, value: false };
      return { ok: false };
    case 'select':
      if (typeof raw === 'string' && inp.options.includes(raw)) return { ok: true, value: raw };
      return { ok: false };
  }
}

/**
 * Validates raw parameters (numbers/booleans, or their text from config) against a schema, fills
 * defaults and returns a frozen object. Unknown parameters are errors (a typo must never silently
 * run the default). Errors are CT_ERR_STRATEGY_PARAM_INVALID naming `strategy.<id>.<param>`.
 */
export function validateParams<I extends StrategyInputs>(schema: StrategySchema<I>, raw: Readonly<Record<string, unknown>>): ParamsOf<I> {
  const names = Object.keys(schema.inputs);
  for (const key of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(schema.inputs, key)) {
      const hint = names.length > 0 ? ` (did you mean "${closest(key, names)}"?)` : '';
      throw new CtError(
        'CT_ERR_STRATEGY_PARAM_INVALID',
        `strategy.${schema.id}.${key}: unknown parameter${hint}; ${schema.id} takes: ${names.length > 0 ? names.join(', ') : 'no parameters'}`,
        { details: { key: `strategy.${schema.id}.${key}`, value: raw[key] } },
      );
    }
  }
  const out: Record<string, number | boolean | string> = {};
  for (const name of names) {
    const inp = schema.inputs[name]!;
    if (!Object.prototype.hasOwnProperty.call(raw, name) || raw[name] === undefined) {
      out[name] = inp.default;
      continue;
    }
    const parsed = parseOne(inp, raw[name]);
    if (!parsed.ok) {
      const shown = typeof raw[name] === 'string' ? JSON.stringify(raw[name]) : String(raw[name]);
      throw new CtError(
        'CT_ERR_STRATEGY_PARAM_INVALID',
        `strategy.${schema.id}.${name} = ${shown} is not allowed: expected ${allowedText(inp)}`,
        { details: { key: `strategy.${schema.id}.${name}`, value: raw[name], allowed: allowedText(inp) } },
      );
    }
    out[name] = parsed.value;
  }
  return Object.freeze(out) as ParamsOf<I>;
}
