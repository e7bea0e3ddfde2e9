import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../core/code-location.ts';
import { CtError, isCtError } from '../core/errors.ts';
import type { AnyStrategy } from '../strategy-sdk/contract.ts';
import { validateSchema, type StrategyInputs, type StrategySchema } from '../strategy-sdk/schema.ts';
import { checkStrategySource, formatViolations } from './source-check.ts';
import { enableTypeScriptImports } from './typescript-imports.ts';

/**
 * Finding and loading strategy modules: the built-ins (strategies/builtins/<id>.ts, imported by
 * literal paths so every loader — tsx, vitest, bundlers — sees them) and user files
 * (<customDir>/<id>.ts, statically checked BEFORE import so a forbidden file never runs).
 */

/** Repository root, from the sources and from dist/ alike. */
export const REPO_ROOT = PACKAGE_ROOT;

export type StrategySource = { kind: 'builtin'; id: string } | { kind: 'file'; path: string };

const BUILTINS: Readonly<Record<string, () => Promise<unknown>>> = {
  simple_ma: () => import('../../strategies/builtins/simple_ma.ts'),
  ema_cross: () => import('../../strategies/builtins/ema_cross.ts'),
  rsi_reversion: () => import('../../strategies/builtins/rsi_reversion.ts'),
  donchian_trend: () => import('../../strategies/builtins/donchian_trend.ts'),
  cross_section_momentum: () => import('../../strategies/builtins/cross_section_momentum.ts'),
  trend_following: () => import('../../strategies/builtins/trend_following.ts'),
  mean_reversion: () => import('../../strategies/builtins/mean_reversion.ts'),
  macd_rsi_confluence: () => import('../../strategies/builtins/macd_rsi_confluence.ts'),
  momentum_rank: () => import('../../strategies/builtins/momentum_rank.ts'),
};

/** Ids of the built-in strategies, in documentation order. */
export const BUILTIN_IDS: readonly string[] = Object.freeze(Object.keys(BUILTINS));

export interface LoadedStrategy {
  readonly def: AnyStrategy;
  readonly schema: StrategySchema;
  /** Where it came from, for messages: `builtin:<id>` or the file path. */
  readonly where: string;
}

export interface LoadOptions {
  /**
   * Skip the static no-I/O source check. ONLY for test fixtures that break the rules on purpose
   * (a strategy that calls process.exit to test crash containment); never set from config.
   */
  readonly skipSourceCheck?: boolean;
}

function loadFail(where: string, message: string, cause?: unknown): CtError {
  return new CtError('CT_ERR_STRATEGY_LOAD', `${where}: ${message}`, { cause, details: { where } });
}

/** Checks the module's exports against the contract (default export, or named exports). */
function toDefinition(mod: unknown, where: string): LoadedStrategy {
  const m = mod as Record<string, unknown>;
  const candidate = (m.default !== undefined && typeof m.default === 'object' ? m.default : m) as Record<string, unknown>;
  const schema = validateSchema(candidate.schema, where);
  if (typeof candidate.onCandle !== 'function') throw loadFail(where, 'the strategy must export an onCandle(ctx) function');
  for (const k of ['onInit', 'onFill', 'onFinish', 'warmup', 'checkParams', 'initialState', 'rank'] as const) {
    if (candidate[k] !== undefined && typeof candidate[k] !== 'function') throw loadFail(where, `${k} must be a function when exported`);
  }
  const def: AnyStrategy = {
    schema: schema as StrategySchema<StrategyInputs>,
    onCandle: candidate.onCandle as AnyStrategy['onCandle'],
    ...(candidate.onInit ? { onInit: candidate.onInit as AnyStrategy['onInit'] } : {}),
    ...(candidate.onFill ? { onFill: candidate.onFill as AnyStrategy['onFill'] } : {}),
    ...(candidate.onFinish ? { onFinish: candidate.onFinish as AnyStrategy['onFinish'] } : {}),
    ...(candidate.warmup ? { warmup: candidate.warmup as AnyStrategy['warmup'] } : {}),
    ...(candidate.checkParams ? { checkParams: candidate.checkParams as AnyStrategy['checkParams'] } : {}),
    ...(candidate.initialState ? { initialState: candidate.initialState as AnyStrategy['initialState'] } : {}),
    ...(candidate.rank ? { rank: candidate.rank as AnyStrategy['rank'] } : {}),
  };
  return { def, schema, where };
}

/**
 * The URL a strategy file is imported under. A thread's module cache keeps the first code
 * imported under a URL for good, so a file edited while the daemon runs (hot reload, an inline
 * host) is imported under a URL naming its text, `?v=<sha256 prefix>`: changed text, new module;
 * the same text, the cached one. A sandboxed strategy process is fresh for every load, and its
 * hooks (guest-ts-hooks.mjs) serve the plain URL: it gets the plain URL.
 */
function moduleUrl(file: string, text: string): string {
  const url = pathToFileURL(file).href;
  if (process.env.CT_GUEST_TS_HOOKS === '1') return url;
  return `${url}?v=${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** Loads and contract-checks a strategy module. Throws CT_ERR_STRATEGY_LOAD / _NOT_FOUND. */
export async function loadStrategy(source: StrategySource, opts: LoadOptions = {}): Promise<LoadedStrategy> {
  if (source.kind === 'builtin') {
    const imp = BUILTINS[source.id];
    if (imp === undefined) {
      throw new CtError('CT_ERR_STRATEGY_NOT_FOUND', `builtin strategy "${source.id}" does not exist (built-ins: ${BUILTIN_IDS.join(', ')})`, { details: { value: source.id } });
    }
    return toDefinition(await imp(), `builtin:${source.id}`);
  }
  const file = resolve(source.path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new CtError('CT_ERR_STRATEGY_NOT_FOUND', `${file}: strategy file does not exist`, { details: { value: file } });
  }
  const text = readFileSync(file, 'utf8');
  if (!opts.skipSourceCheck) {
    const violations = checkStrategySource(text, file, REPO_ROOT);
    if (violations.length > 0) {
      throw new CtError('CT_ERR_STRATEGY_LOAD', `${file}: breaks the strategy no-I/O rule:\n${formatViolations(violations)}`, {
        details: { where: file, violations },
      });
    }
  }
  let mod: unknown;
  try {
    if (file.endsWith('.ts')) await enableTypeScriptImports();
    mod = await import(moduleUrl(file, text));
  } catch (e) {
    throw loadFail(file, `could not be imported: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return toDefinition(mod, file);
}

/** builtin first, then `<customDir>/<id>.ts`; CT_ERR_STRATEGY_NOT_FOUND otherwise. */
export function resolveStrategySource(id: string, customDir: string): StrategySource {
  if (Object.prototype.hasOwnProperty.call(BUILTINS, id)) return { kind: 'builtin', id };
  const file = resolve(customDir, `${id}.ts`);
  if (existsSync(file)) return { kind: 'file', path: file };
  throw new CtError(
    'CT_ERR_STRATEGY_NOT_FOUND',
    `strategy "${id}" is neither built in (${BUILTIN_IDS.join(', ')}) nor a file ${file}`,
    { details: { value: id, customDir: resolve(customDir) } },
  );
}

export interface DiscoveredStrategy {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly source: StrategySource;
  readonly inputs: StrategyInputs;
  readonly universe: boolean;
  /** It exports the ranking hook: `rank` can evaluate it (absent: it does not). */
  readonly ranking?: boolean;
}
export interface BrokenStrategy {
  readonly file: string;
  readonly error: string;
  readonly code: string;
}

/**
 * Lists the built-ins and every `.ts` file in customDir (sorted by name). A broken file (syntax
 * error, throws at import, bad schema, forbidden import/global, id not matching the file name or
 * clashing with another strategy) is reported with its file and error and never stops the others.
 * A missing customDir simply has no custom strategies.
 */
export async function discoverStrategies(customDir: string): Promise<{ ok: DiscoveredStrategy[]; broken: BrokenStrategy[] }> {
  const ok: DiscoveredStrategy[] = [];
  const broken: BrokenStrategy[] = [];
  const describe = (l: LoadedStrategy, source: StrategySource): DiscoveredStrategy => ({
    id: l.schema.id, name: l.schema.name, version: l.schema.version, description: l.schema.description,
    source, inputs: l.schema.inputs, universe: l.schema.universe === true, ranking: l.def.rank !== undefined,
  });
  const fail = (file: string, e: unknown): void => {
    broken.push({ file, error: e instanceof Error ? e.message : String(e), code: isCtError(e) ? e.code : 'CT_ERR_STRATEGY_LOAD' });
  };
  for (const id of BUILTIN_IDS) {
    const source: StrategySource = { kind: 'builtin', id };
    try {
      ok.push(describe(await loadStrategy(source), source));
    } catch (e) {
      fail(`strategies/builtins/${id}.ts`, e);
    }
  }
  const dir = resolve(customDir);
  if (!existsSync(dir)) return { ok, broken };
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  for (const f of files) {
    const path = join(dir, f);
    try {
      const l = await loadStrategy({ kind: 'file', path });
      const stem = basename(f, '.ts');
      if (l.schema.id !== stem) throw loadFail(path, `schema.id "${l.schema.id}" must equal the file name "${stem}" (strategies are enabled by id and found as <custom_dir>/<id>.ts)`);
      if (ok.some((s) => s.id === l.schema.id)) throw loadFail(path, `schema.id "${l.schema.id}" is already taken by ${BUILTIN_IDS.includes(l.schema.id) ? 'a built-in strategy' : 'another strategy'}`);
      ok.push(describe(l, { kind: 'file', path }));
    } catch (e) {
      fail(path, e);
    }
  }
  return { ok, broken };
}
