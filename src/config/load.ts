import { readFileSync } from 'node:fs';
import ini from 'ini';
import { CtError } from '../core/errors.ts';
import { MOVED_KEYS, SECTIONS, type Config, type ConfigProblem, type SectionName } from './schema.ts';
import { runConfigChecks } from './checks.ts';
import { didYouMean } from './did-you-mean.ts';
import { redactValues, secretCandidates } from './secrets.ts';
import type { Field } from './fields.ts';

/** Raw config as strings: section name (`general`, `strategy.simple_ma`) -> key -> text value. */
export type RawConfig = Map<string, Map<string, string>>;

export type { ConfigProblem } from './schema.ts';

/** Which `section.key`s came from --set, so errors name the right origin. */
const overridden = new WeakMap<RawConfig, Set<string>>();

const STRATEGY_SECTION = /^strategy\.([a-z][a-z0-9_]*)$/;

/**
 * Reads an INI file into the raw form. `[strategy.x]` sections keep their dotted name. A file
 * without a single key is refused: running on built-in defaults because the wrong (or a
 * truncated) file was given would look like a normal run.
 */
export function readRawConfig(file: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CtError('CT_ERR_CONFIG_NOT_FOUND', `${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      details: { file },
    });
  }
  const raw = rawFromIniText(text);
  if ([...raw.values()].every((keys) => keys.size === 0)) {
    throw new CtError('CT_ERR_CONFIG_INVALID', `${file}: the config file sets no key at all; start from config/config.ini, which lists every key with a comment`, {
      details: { file },
    });
  }
  return raw;
}

export function rawFromIniText(text: string): RawConfig {
  const parsed = ini.parse(text) as Record<string, unknown>;
  const raw: RawConfig = new Map();
  const put = (section: string, obj: Record<string, unknown>): void => {
    const m = raw.get(section) ?? new Map<string, string>();
    let nestedOnly = true;
    for (const [k, v] of Object.entries(obj)) {
      if (v !== null && typeof v === 'object') {
        // ini nests dotted section names: [strategy.simple_ma] -> { strategy: { simple_ma: {...} } }
        put(`${section}.${k}`, v as Record<string, unknown>);
      } else {
        nestedOnly = false;
        m.set(k, v === null || v === undefined ? '' : String(v));
      }
    }
    // A pure parent of dotted sections ([strategy] holding only [strategy.x]) is not a section itself.
    if (!nestedOnly || (Object.keys(obj).length === 0 && !raw.has(section))) raw.set(section, m);
  };
  for (const [section, v] of Object.entries(parsed)) {
    if (v !== null && typeof v === 'object') put(section, v as Record<string, unknown>);
    else {
      // A key above any [section] header.
      const m = raw.get('') ?? new Map<string, string>();
      m.set(section, String(v));
      raw.set('', m);
    }
  }
  return raw;
}

/** Applies `--set section.key=value` overrides (validated exactly like the file afterwards). */
export function applyOverrides(raw: RawConfig, sets: readonly string[]): void {
  for (const s of sets) {
    const eq = s.indexOf('=');
    const path = eq > 0 ? s.slice(0, eq).trim() : '';
    const dot = path.lastIndexOf('.');
    if (eq <= 0 || dot <= 0 || dot === path.length - 1) {
      const shown = redactValues(s, secretCandidates(secretNames(raw)));
      throw new CtError('CT_ERR_CONFIG_INVALID', `--set ${shown}: expected section.key=value (e.g. --set risk.position_pct=50)`, {
        details: { value: shown },
      });
    }
    const section = path.slice(0, dot);
    const key = path.slice(dot + 1);
    const m = raw.get(section) ?? new Map<string, string>();
    m.set(key, s.slice(eq + 1).trim());
    raw.set(section, m);
    const o = overridden.get(raw) ?? new Set<string>();
    o.add(`${section}.${key}`);
    overridden.set(raw, o);
  }
}

/** Where a `section.key` came from, for messages: `--set` or the config file. */
export function originOf(raw: RawConfig, key: string, source: string): string {
  return overridden.get(raw)?.has(key) === true ? '--set' : source;
}

/** Validates the raw config into the typed, frozen Config; throws one CtError listing every problem. */
export function validateConfig(raw: RawConfig, source: string): Config {
  const problems: ConfigProblem[] = [];
  const sectionNames = Object.keys(SECTIONS) as SectionName[];
  const out: Record<string, Record<string, unknown>> = {};
  const strategy: Record<string, Record<string, string>> = {};

  for (const [section, keys] of raw) {
    if (section === '') {
      for (const k of keys.keys()) problems.push({ key: k, value: keys.get(k), message: `"${k}" is outside any [section]` });
      continue;
    }
    const sm = STRATEGY_SECTION.exec(section);
    if (sm) {
      strategy[sm[1]!] = Object.fromEntries(keys);
      continue;
    }
    if (!(section in SECTIONS)) {
      problems.push({ key: `[${section}]`, value: undefined, message: `unknown section [${section}]${didYouMean(section, [...sectionNames, 'strategy.<id>'])}` });
    }
  }

  for (const section of sectionNames) {
    const fields = SECTIONS[section] as Record<string, Field<unknown>>;
    const given = raw.get(section) ?? new Map<string, string>();
    for (const k of given.keys()) {
      if (k in fields) continue;
      const key = `${section}.${k}`;
      const moved = MOVED_KEYS[key];
      problems.push({
        key,
        value: given.get(k),
        message: moved !== undefined ? `${key} moved to ${moved}: set ${moved} = ${given.get(k)} instead` : `unknown key ${key}${didYouMean(k, Object.keys(fields))}`,
      });
    }
    const values: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(fields)) {
      const rawValue = given.get(k) ?? f.default;
      if (rawValue === undefined) {
        problems.push({ key: `${section}.${k}`, value: undefined, message: `${section}.${k} is required: expected ${f.allowed}` });
        continue;
      }
      const r = f.parse(rawValue);
      if (!r.ok && section === 'secrets') {
        // A secrets.* key that is not a variable name is most likely the key or secret itself.
        problems.push({ key: `${section}.${k}`, value: '[REDACTED]', message: `${section}.${k} is invalid (its value is not shown: it may be the secret itself): expected ${f.allowed}` });
      } else if (!r.ok) {
        problems.push({ key: `${section}.${k}`, value: rawValue, message: `${section}.${k} = "${rawValue}" is invalid: expected ${f.allowed}` });
      } else values[k] = r.value;
    }
    out[section] = values;
  }

  if (problems.length === 0) {
    const draft = { ...out, strategy, source } as unknown as Config;
    for (const p of runConfigChecks(draft)) problems.push(p);
  }
  if (problems.length > 0) {
    // No config error shows the value of a secret, whichever key it was given to.
    const secrets = secretCandidates(secretNames(raw));
    const red = (t: string | undefined): string | undefined => (t === undefined ? t : redactValues(t, secrets));
    const lines = problems.map((p) => `${originOf(raw, p.key, source)}: ${red(p.message)}`);
    throw new CtError('CT_ERR_CONFIG_INVALID', lines.join('\n'), {
      details: { file: source, problems: problems.map((p) => ({ key: p.key, value: red(p.value), message: red(p.message) })) },
    });
  }
  return deepFreeze({ ...out, strategy, source }) as Config;
}

/** Every variable name a secrets.* key has here or by default: whose values errors must not show. */
function secretNames(raw: RawConfig): string[] {
  const fields = SECTIONS.secrets as Record<string, Field<unknown>>;
  const given = raw.get('secrets');
  return Object.entries(fields).flatMap(([k, f]) => [f.default, given?.get(k)].filter((v): v is string => typeof v === 'string'));
}

export interface LoadOptions {
  readonly file: string;
  readonly sets?: readonly string[];
}

/** File + overrides -> validated Config. Also returns the resolved raw form for snapshots. */
export function loadConfig(opts: LoadOptions): { config: Config; raw: RawConfig } {
  const raw = readRawConfig(opts.file);
  applyOverrides(raw, opts.sets ?? []);
  return { config: validateConfig(raw, opts.file), raw };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}
