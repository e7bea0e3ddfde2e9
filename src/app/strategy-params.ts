import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { didYouMean } from '../config/did-you-mean.ts';
import { originOf, type RawConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { CtError, isCtError, type ErrorCode } from '../core/errors.ts';
import { BUILTIN_IDS, loadStrategy, type LoadedStrategy, type StrategySource } from '../strategies/loader.ts';
import { crossParamProblem } from '../strategies/cross-param-check.ts';
import { validateParams } from '../strategy-sdk/schema.ts';

/**
 * Strategy parameters checked when the config is loaded, before any strategy process starts: every
 * id in strategies.enabled and every `[strategy.<id>]` section (enabled or not — a parameter of a
 * disabled strategy is still a promise about what will run once it is enabled) must name a known
 * strategy, and its parameters must pass that strategy's schema and its cross-parameter rule
 * (`checkParams`, e.g. fast < slow). The config layer cannot do this itself: it may not import
 * strategies.
 *
 * Only the strategies named are loaded: built-ins are small pure modules, and a broken custom
 * file fails the command only when the config refers to it (discovery reports the others).
 */
export async function checkStrategyParams(config: Config, raw: RawConfig): Promise<void> {
  const customDir = resolve(config.strategies.custom_dir);
  const problems: Array<{ code: ErrorCode; line: string }> = [];
  const enabled = config.strategies.enabled;
  const sections = Object.keys(config.strategy).sort();
  const at = (key: string): string => originOf(raw, key, config.source);

  for (const id of [...new Set([...enabled, ...sections])]) {
    const source = sourceOf(id, customDir);
    if (source === undefined) {
      const hint = didYouMean(id, knownIds(customDir));
      const where = `neither built in nor a file ${join(customDir, `${id}.ts`)}${hint}`;
      if (enabled.includes(id)) {
        problems.push({ code: 'CT_ERR_STRATEGY_NOT_FOUND', line: `${at('strategies.enabled')}: strategies.enabled names "${id}", which is ${where}` });
      } else {
        problems.push({ code: 'CT_ERR_CONFIG_INVALID', line: `${sectionOrigin(raw, id, config.source)}: unknown section [strategy.${id}]: strategy "${id}" is ${where}` });
      }
      continue;
    }
    const loaded = await loadChecked(source, id);
    for (const p of paramProblems(loaded, config.strategy[id] ?? {})) problems.push({ code: 'CT_ERR_STRATEGY_PARAM_INVALID', line: `${at(p.key)}: ${p.message}` });
  }

  if (problems.length > 0) {
    throw new CtError(problems[0]!.code, problems.map((p) => p.line).join('\n'), { details: { file: config.source, problems: problems.map((p) => p.line) } });
  }
}

/** Where `[strategy.<id>]` came from: `--set` when every one of its keys was set there. */
function sectionOrigin(raw: RawConfig, id: string, source: string): string {
  const keys = [...(raw.get(`strategy.${id}`)?.keys() ?? [])];
  return keys.length > 0 && keys.every((k) => originOf(raw, `strategy.${id}.${k}`, source) === '--set') ? '--set' : source;
}

/** A built-in first, then `<custom_dir>/<id>.ts` (the order the runner resolves them in). */
function sourceOf(id: string, customDir: string): StrategySource | undefined {
  if (BUILTIN_IDS.includes(id)) return { kind: 'builtin', id };
  const path = join(customDir, `${id}.ts`);
  return existsSync(path) ? { kind: 'file', path } : undefined;
}

/** Ids for a did-you-mean: the built-ins and the custom file names (the files are not loaded). */
function knownIds(customDir: string): string[] {
  const custom = existsSync(customDir) ? readdirSync(customDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => basename(f, '.ts')) : [];
  return [...BUILTIN_IDS, ...custom];
}

async function loadChecked(source: StrategySource, id: string): Promise<LoadedStrategy> {
  const loaded = await loadStrategy(source);
  if (loaded.schema.id !== id) {
    throw new CtError('CT_ERR_STRATEGY_LOAD', `${loaded.where}: schema.id "${loaded.schema.id}" must equal the file name "${id}" (strategies are found as <custom_dir>/<id>.ts)`, {
      details: { where: loaded.where, value: loaded.schema.id },
    });
  }
  return loaded;
}

/**
 * Every bad parameter of one strategy (each key on its own, so all are named at once), then, when
 * each is fine, the strategy's cross-parameter rule on the full set with defaults filled in.
 */
function paramProblems(loaded: LoadedStrategy, given: Readonly<Record<string, string>>): Array<{ key: string; message: string }> {
  const { schema, def } = loaded;
  const out: Array<{ key: string; message: string }> = [];
  for (const [k, v] of Object.entries(given)) {
    try {
      validateParams(schema, { [k]: v });
    } catch (e) {
      if (!isCtError(e)) throw e;
      out.push({ key: `strategy.${schema.id}.${k}`, message: e.message });
    }
  }
  if (out.length > 0 || def.checkParams === undefined) return out;
  const problem = crossParamProblem(def, validateParams(schema, given), schema.id);
  if (problem !== undefined) out.push({ key: problem.key, message: problem.message });
  return out;
}
