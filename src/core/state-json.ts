import { CtError } from './errors.ts';

/**
 * The saved state of a resumable account (a forward run that continues in its next process) as
 * plain JSON, and the reader that checks its shape when it is read back.
 *
 * JSON has no NaN, no infinities and no negative zero, and the components hold all three (a
 * position without a stop keeps NaN, a day index starts at NaN). `stringifyState` writes them as
 * `{"$num":"NaN"}` (`Infinity`, `-Infinity`, `-0`) and `parseState` turns them back, so every
 * number round-trips bit for bit; finite numbers are written in JavaScript's shortest round-trip
 * form, which JSON.parse reads back exactly.
 */

const TAG = '$num';
const SPECIAL: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

export function stringifyState(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v)) return { [TAG]: 'NaN' };
    if (v === Number.POSITIVE_INFINITY) return { [TAG]: 'Infinity' };
    if (v === Number.NEGATIVE_INFINITY) return { [TAG]: '-Infinity' };
    if (Object.is(v, -0)) return { [TAG]: '-0' };
    return v;
  });
}

/** Parses what `stringifyState` wrote; a text that is not JSON is a CT_ERR_ACCOUNT_STATE naming `where`. */
export function parseState(text: string, where: string): unknown {
  try {
    return JSON.parse(text, (_k, v: unknown) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const keys = Object.keys(v);
        const tag = (v as Record<string, unknown>)[TAG];
        if (keys.length === 1 && typeof tag === 'string' && tag in SPECIAL) return SPECIAL[tag];
      }
      return v;
    });
  } catch (e) {
    throw new CtError('CT_ERR_ACCOUNT_STATE', `${where}: not valid JSON (${(e as Error).message})`, { details: { where } });
  }
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${v.slice(0, 40)}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}

/**
 * Reads one object of a saved state, checking each field it is asked for: a missing field or one
 * of the wrong type is a CT_ERR_ACCOUNT_STATE naming its path (`portfolio.ledgers[2].qty`), never
 * a silent default. Components restore from these readers only.
 */
export class StateReader {
  private readonly o: Record<string, unknown>;

  constructor(value: unknown, readonly path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw StateReader.bad(path, 'an object', value);
    this.o = value as Record<string, unknown>;
  }

  static bad(path: string, expected: string, value: unknown): CtError {
    return new CtError('CT_ERR_ACCOUNT_STATE', `${path}: expected ${expected}, found ${shown(value)}`, { details: { path } });
  }

  /** Checks the shape version `v` of this object. */
  version(expected: number): this {
    const v = this.o.v;
    if (v !== expected) {
      throw new CtError('CT_ERR_ACCOUNT_STATE', `${this.path}: shape version ${shown(v)} is not the version ${expected} this cryptotrader reads`, { details: { path: this.path, version: v, expected } });
    }
    return this;
  }

  /** Any number, NaN and the infinities included. */
  num(key: string): number {
    const v = this.o[key];
    if (typeof v !== 'number') throw StateReader.bad(`${this.path}.${key}`, 'a number', v);
    return v;
  }

  finite(key: string): number {
    const v = this.num(key);
    if (!Number.isFinite(v)) throw StateReader.bad(`${this.path}.${key}`, 'a finite number', v);
    return v;
  }

  int(key: string): number {
    const v = this.num(key);
    if (!Number.isSafeInteger(v)) throw StateReader.bad(`${this.path}.${key}`, 'an integer', v);
    return v;
  }

  /** A number or null (an absent value). */
  numOrNull(key: string): number | null {
    return this.o[key] === null ? null : this.num(key);
  }

  str(key: string): string {
    const v = this.o[key];
    if (typeof v !== 'string') throw StateReader.bad(`${this.path}.${key}`, 'a string', v);
    return v;
  }

  bool(key: string): boolean {
    const v = this.o[key];
    if (typeof v !== 'boolean') throw StateReader.bad(`${this.path}.${key}`, 'true or false', v);
    return v;
  }

  obj(key: string): StateReader {
    return new StateReader(this.o[key], `${this.path}.${key}`);
  }

  /** The raw value of a field that is a list (checked), for lists of numbers or strings. */
  array(key: string): readonly unknown[] {
    const v = this.o[key];
    if (!Array.isArray(v)) throw StateReader.bad(`${this.path}.${key}`, 'a list', v);
    return v;
  }

  /** A list of objects, each as a reader. */
  list(key: string): StateReader[] {
    return this.array(key).map((x, i) => new StateReader(x, `${this.path}.${key}[${i}]`));
  }

  /** A list of numbers. */
  nums(key: string): number[] {
    return this.array(key).map((x, i) => {
      if (typeof x !== 'number') throw StateReader.bad(`${this.path}.${key}[${i}]`, 'a number', x);
      return x;
    });
  }

  /** The raw value of a field (for a component that checks it itself). */
  raw(key: string): unknown {
    return this.o[key];
  }
}
