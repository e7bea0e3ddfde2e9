import { DATE_FORMS, readUtcDate } from '../core/time.ts';

/**
 * A config field: how it reads the INI string (`parse`), the default written into the shipped
 * config.ini, and `allowed`, the human text used in error messages ("a number from 0 to 100").
 * Keeping `allowed` beside the parser means every error names exactly what the key accepts.
 *
 * The parsers are a few lines each instead of a schema library: loading one (zod: ~100 modules)
 * cost every command that reads the config about a bare `node -e 0` of start-up time, for six
 * kinds of value. The messages never came from the library anyway: they are `allowed`.
 */
export interface Field<T> {
  /** The value of a raw INI string (trimmed as each kind says), or `ok: false` when it is not allowed. */
  readonly parse: (raw: string) => Parsed<T>;
  readonly allowed: string;
  /** undefined = required (no default). */
  readonly default: string | undefined;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

const NO: Parsed<never> = Object.freeze({ ok: false });
const yes = <T>(value: T): Parsed<T> => ({ ok: true, value });

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

export function num(opts: { min?: number; max?: number; int?: boolean; default?: number | string; gt?: number }): Field<number> {
  const kind = opts.int ? 'a whole number' : 'a number';
  const lo = opts.gt !== undefined ? `> ${opts.gt}` : opts.min !== undefined ? `>= ${opts.min}` : undefined;
  const allowed =
    lo !== undefined && opts.max !== undefined ? `${kind} ${lo} and <= ${opts.max}` : lo !== undefined ? `${kind} ${lo}` : opts.max !== undefined ? `${kind} <= ${opts.max}` : kind;
  return {
    parse: (raw) => {
      const t = raw.trim();
      if (t === '') return NO;
      const x = Number(t);
      // Finite; a whole number within the safe integer range; the bounds inclusive except `gt`.
      if (!Number.isFinite(x)) return NO;
      if (opts.int && !Number.isSafeInteger(x)) return NO;
      if (opts.min !== undefined && !(x >= opts.min)) return NO;
      if (opts.gt !== undefined && !(x > opts.gt)) return NO;
      if (opts.max !== undefined && !(x <= opts.max)) return NO;
      return yes(x);
    },
    allowed,
    default: opts.default === undefined ? undefined : String(opts.default),
  };
}

export function bool(def: boolean): Field<boolean> {
  return {
    parse: (raw) => {
      const s = raw.trim().toLowerCase();
      return TRUE.includes(s) ? yes(true) : FALSE.includes(s) ? yes(false) : NO;
    },
    allowed: 'true or false',
    default: String(def),
  };
}

export function oneOf<const T extends string>(values: readonly T[], def?: T): Field<T> {
  return {
    parse: (raw) => {
      const t = raw.trim();
      return (values as readonly string[]).includes(t) ? yes(t as T) : NO;
    },
    allowed: `one of ${values.join(' | ')}`,
    default: def,
  };
}

export function str(opts: { default?: string; pattern?: RegExp; allowed?: string; allowEmpty?: boolean } = {}): Field<string> {
  return {
    parse: (raw) => {
      const t = raw.trim();
      if (!opts.allowEmpty && t.length < 1) return NO;
      if (opts.pattern && !matches(opts.pattern, t)) return NO;
      return yes(t);
    },
    allowed: opts.allowed ?? (opts.allowEmpty ? 'a text' : 'a non-empty text'),
    default: opts.default,
  };
}

/** Comma-separated list of items matching a pattern. */
export function list(opts: { default?: string; item?: RegExp; allowed: string; min?: number }): Field<string[]> {
  const item = opts.item ?? /.+/;
  return {
    parse: (raw) => {
      const items = raw.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      if (items.length < (opts.min ?? 0) || !items.every((x) => matches(item, x))) return NO;
      return yes(items);
    },
    allowed: opts.allowed,
    default: opts.default,
  };
}

/** Dates as YYYY-MM-DD, ISO-8601 (UTC) or epoch ms, parsed by the one date parser; empty means "not set". */
export function date(opts: { default?: string; optional?: boolean }): Field<number | null> {
  return {
    parse: (raw) => {
      const t = raw.trim();
      if (t === '' && opts.optional) return yes(null);
      const r = readUtcDate(t);
      return r.problem !== undefined ? NO : yes(r.ms);
    },
    allowed: opts.optional ? `a date (${DATE_FORMS}), or empty` : `a date (${DATE_FORMS})`,
    default: opts.default,
  };
}

/** `re.test(s)` from the start of `s` whatever a global or sticky flag left in `lastIndex`. */
function matches(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
