import { z } from 'zod';
import { readUtcDate } from '../core/time.ts';

/**
 * A config field: its zod schema (which coerces the INI string), the default written into the
 * shipped config.ini, and `allowed`, the human text used in error messages ("a number from 0 to 100").
 * Keeping `allowed` beside the schema means every error names exactly what the key accepts.
 */
export interface Field<T> {
  readonly schema: z.ZodType<T>;
  readonly allowed: string;
  /** undefined = required (no default). */
  readonly default: string | undefined;
}

const toNumber = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v);
const toBool = (v: unknown): unknown => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(s)) return true;
    if (['false', 'no', 'off', '0'].includes(s)) return false;
  }
  return v;
};

export function num(opts: { min?: number; max?: number; int?: boolean; default?: number | string; gt?: number }): Field<number> {
  let s = z.number().finite();
  if (opts.int) s = s.int();
  if (opts.min !== undefined) s = s.min(opts.min);
  if (opts.gt !== undefined) s = s.gt(opts.gt);
  if (opts.max !== undefined) s = s.max(opts.max);
  const kind = opts.int ? 'a whole number' : 'a number';
  const lo = opts.gt !== undefined ? `> ${opts.gt}` : opts.min !== undefined ? `>= ${opts.min}` : undefined;
  const allowed =
    lo !== undefined && opts.max !== undefined ? `${kind} ${lo} and <= ${opts.max}` : lo !== undefined ? `${kind} ${lo}` : opts.max !== undefined ? `${kind} <= ${opts.max}` : kind;
  return { schema: z.preprocess(toNumber, s) as unknown as z.ZodType<number>, allowed, default: opts.default === undefined ? undefined : String(opts.default) };
}

export function bool(def: boolean): Field<boolean> {
  return { schema: z.preprocess(toBool, z.boolean()) as unknown as z.ZodType<boolean>, allowed: 'true or false', default: String(def) };
}

export function oneOf<const T extends string>(values: readonly T[], def?: T): Field<T> {
  return {
    schema: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.enum(values as unknown as [T, ...T[]])) as unknown as z.ZodType<T>,
    allowed: `one of ${values.join(' | ')}`,
    default: def,
  };
}

export function str(opts: { default?: string; pattern?: RegExp; allowed?: string; allowEmpty?: boolean } = {}): Field<string> {
  let s = z.string();
  if (!opts.allowEmpty) s = s.min(1);
  if (opts.pattern) s = s.regex(opts.pattern);
  return {
    schema: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v === true || v === false ? String(v) : v), s) as unknown as z.ZodType<string>,
    allowed: opts.allowed ?? (opts.allowEmpty ? 'a text' : 'a non-empty text'),
    default: opts.default,
  };
}

/** Comma-separated list of items matching a pattern. */
export function list(opts: { default?: string; item?: RegExp; allowed: string; min?: number }): Field<string[]> {
  const item = opts.item ?? /.+/;
  const s = z
    .string()
    .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(z.string().regex(item)).min(opts.min ?? 0));
  return {
    schema: z.preprocess((v) => (typeof v === 'string' ? v : v === undefined ? v : String(v)), s) as unknown as z.ZodType<string[]>,
    allowed: opts.allowed,
    default: opts.default,
  };
}

/** Dates as YYYY-MM-DD, ISO-8601 (UTC) or epoch ms, parsed by the one date parser; empty means "not set". */
export function date(opts: { default?: string; optional?: boolean }): Field<number | null> {
  const s = z.string().transform((v, ctx) => {
    const t = v.trim();
    if (t === '' && opts.optional) return null;
    const r = readUtcDate(t);
    if (r.problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    }
    return r.ms;
  });
  return {
    schema: z.preprocess((v) => (v === undefined ? v : String(v)), s) as unknown as z.ZodType<number | null>,
    allowed: opts.optional ? 'a date YYYY-MM-DD or ISO-8601 UTC, or empty' : 'a date YYYY-MM-DD or ISO-8601 UTC',
    default: opts.default,
  };
}
