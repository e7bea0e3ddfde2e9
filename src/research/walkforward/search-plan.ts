/**
 * The parameter sets a walk-forward searches, validated before any work starts: exactly one
 * strategy; every single grid value a valid value of its parameter (a typo exits 2, it is not a
 * skipped set); combinations that break the strategy's cross-parameter rule (e.g. fast >= slow)
 * are left out and counted, with the first reason; none left exits 2.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { CtError } from '../../core/errors.ts';
import { crossParamProblem } from '../../strategies/cross-param-check.ts';
import { loadStrategy, resolveStrategySource } from '../../strategies/loader.ts';
import { validateParams } from '../../strategy-sdk/schema.ts';
import { combinations, gridAxes, type Combination, type GridAxisInput, type ParamAxis } from './param-grid.ts';

/** What the search is over, validated: the strategy, its axes and the combinations that pass its rules. */
export interface SearchPlan {
  readonly strategy: string;
  readonly axes: ParamAxis[];
  /** Parameters without a schema range (kept at their configured value). */
  readonly fixed: string[];
  readonly combos: Combination[];
  /** Combinations left out by the strategy's cross-parameter rule (e.g. fast >= slow), with the first reason. */
  readonly skipped: { readonly count: number; readonly reason: string | null };
}

/** The grid of the one strategy, every value checked against its schema, combinations against its rule. */
export async function planSearch(inp: { readonly config: Config; readonly configFile: string; readonly sets: readonly string[]; readonly grid: readonly GridAxisInput[] }): Promise<SearchPlan> {
  const { config } = inp;
  const enabled = config.strategies.enabled;
  if (enabled.length !== 1) {
    throw new CtError('CT_ERR_USAGE', `walkforward optimises one strategy: --strategies ${enabled.join(',')} names ${enabled.length} (give one)`, { details: { value: enabled.join(',') } });
  }
  const strategy = enabled[0]!;
  const loaded = await loadStrategy(resolveStrategySource(strategy, resolve(config.strategies.custom_dir)));
  const { axes, fixed } = gridAxes(strategy, loaded.schema.inputs, inp.grid, config.walkforward.steps);
  const configured = config.strategy[strategy] ?? {};
  // Every single value must be a valid value of its parameter: a typo is a usage error, not a skipped set.
  for (const a of axes) {
    const param = a.key.startsWith(`strategy.${strategy}.`) ? a.key.slice(strategy.length + 10) : undefined;
    for (const v of a.values) {
      if (param !== undefined) validateParams(loaded.schema, { [param]: v });
      else loadConfig({ file: inp.configFile, sets: [...inp.sets, `${a.key}=${v}`] });
    }
  }
  const all = combinations(axes);
  const combos: Combination[] = [];
  let skipped = 0;
  let reason: string | null = null;
  for (const c of all) {
    const params: Record<string, string> = { ...configured };
    for (const o of c.overrides) {
      const [k, v] = splitOverride(o);
      if (k.startsWith(`strategy.${strategy}.`)) params[k.slice(strategy.length + 10)] = v;
    }
    const problem = loaded.def.checkParams ? crossParamProblem(loaded.def, validateParams(loaded.schema, params), strategy) : undefined;
    if (problem !== undefined) {
      skipped++;
      reason ??= `${c.overrides.join(' ')}: ${problem.message}`;
      continue;
    }
    combos.push({ ...c, index: combos.length });
  }
  if (combos.length === 0) {
    throw new CtError('CT_ERR_USAGE', `--grid: no parameter set of ${strategy} passes its rules (${reason ?? 'empty grid'})`, { details: { value: reason } });
  }
  return { strategy, axes, fixed, combos, skipped: { count: skipped, reason } };
}

function splitOverride(o: string): [string, string] {
  const eq = o.indexOf('=');
  return [o.slice(0, eq), o.slice(eq + 1)];
}

