/**
 * What a `sweep` runs: one backtest job per strategy x symbol x parameter combination. A
 * `--grid strategy.<id>.<param>=...` key multiplies only the jobs of strategy <id> (the other
 * strategies do not have that parameter: applying it to them would give identical runs under
 * different labels); any other key (e.g. risk.position_pct) multiplies every job.
 */
import { CtError } from '../core/errors.ts';

export interface GridAxis {
  /** `section.key`, e.g. strategy.simple_ma.fast or risk.position_pct. */
  readonly key: string;
  readonly values: readonly string[];
  /** The strategy id of a `strategy.<id>.<param>` key; undefined for keys that apply to every job. */
  readonly strategy?: string;
  readonly param?: string;
}

const STRATEGY_KEY = /^strategy\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/;

/** Parses `--grid key=v1,v2,...` values (exit 2 on a malformed one). */
export function parseGrid(grids: readonly string[]): GridAxis[] {
  const axes: GridAxis[] = [];
  for (const g of grids) {
    const eq = g.indexOf('=');
    const key = eq > 0 ? g.slice(0, eq).trim() : '';
    if (eq <= 0 || !/^[a-z_][a-z0-9_.]*\.[a-z0-9_]+$/.test(key)) {
      throw new CtError('CT_ERR_USAGE', `--grid ${g}: expected section.key=v1,v2,... (e.g. --grid strategy.simple_ma.fast=10,20,30)`, { details: { value: g } });
    }
    const values = g.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) throw new CtError('CT_ERR_USAGE', `--grid ${g}: no values`, { details: { value: g } });
    if (new Set(values).size !== values.length) throw new CtError('CT_ERR_USAGE', `--grid ${g}: a value is listed twice`, { details: { value: g } });
    if (axes.some((a) => a.key === key)) throw new CtError('CT_ERR_USAGE', `--grid ${key} is given twice: list all its values in one --grid`, { details: { value: key } });
    const m = STRATEGY_KEY.exec(key);
    axes.push(m ? { key, values, strategy: m[1]!, param: m[2]! } : { key, values });
  }
  return axes;
}

/** Cartesian product of `key=v1,v2,...` grids as lists of `key=v` overrides. */
export function expandGrid(grids: readonly string[]): string[][] {
  return product(parseGrid(grids));
}

function product(axes: readonly GridAxis[]): string[][] {
  let combos: string[][] = [[]];
  for (const a of axes) combos = combos.flatMap((c) => a.values.map((v) => [...c, `${a.key}=${v}`]));
  return combos;
}

/**
 * Checks every strategy grid key against the swept strategies: the strategy must be one of them
 * and have that parameter. `paramsOf(id)` gives a strategy's parameter names.
 */
export function checkGridKeys(axes: readonly GridAxis[], strategies: readonly string[], paramsOf: (id: string) => readonly string[]): void {
  for (const a of axes) {
    if (a.strategy === undefined) continue;
    if (!strategies.includes(a.strategy)) {
      const having = strategies.filter((s) => paramsOf(s).includes(a.param!));
      const hint = having.length > 0 ? `; did you mean strategy.${having[0]}.${a.param}?` : '';
      throw new CtError('CT_ERR_USAGE', `--grid ${a.key}: "${a.strategy}" is not one of the swept strategies (${strategies.join(', ')})${hint}`, { details: { key: a.key } });
    }
    const params = paramsOf(a.strategy);
    if (!params.includes(a.param!)) {
      throw new CtError('CT_ERR_USAGE', `--grid ${a.key}: ${a.strategy} has no parameter "${a.param}" (it takes: ${params.length > 0 ? params.join(', ') : 'none'})`, { details: { key: a.key } });
    }
  }
}

export interface PlannedJob {
  readonly strategy: string;
  readonly symbol: string;
  /** The grid overrides of this job, `key=value`, in --grid order. */
  readonly overrides: readonly string[];
  /** `simple_ma BTC/USDT strategy.simple_ma.fast=10`. */
  readonly label: string;
}

/** Jobs in a fixed order: strategy, then symbol, then grid combination. */
export function planJobs(strategies: readonly string[], symbols: readonly string[], axes: readonly GridAxis[]): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  for (const strategy of strategies) {
    const combos = product(axes.filter((a) => a.strategy === undefined || a.strategy === strategy));
    for (const symbol of symbols) {
      for (const overrides of combos) jobs.push({ strategy, symbol, overrides, label: [strategy, symbol, ...overrides].join(' ') });
    }
  }
  return jobs;
}
