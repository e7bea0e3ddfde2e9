/**
 * The parameter grid a walk-forward window searches: the `--grid` axes (sweep's syntax), or, without
 * a --grid, every parameter of the strategy's schema with `steps` values over its range (numbers
 * evenly spaced from min to max, ints rounded and deduplicated; booleans both; selects all their
 * options). Combinations are in a fixed order (first axis slowest), which is also the tie-break of
 * the choice: the first best in grid order wins.
 */
import { CtError } from '../../core/errors.ts';
import type { StrategyInput, StrategyInputs } from '../../strategy-sdk/schema.ts';

export interface ParamAxis {
  /** The config key the values are set on: `strategy.<id>.<param>` or another `section.key`. */
  readonly key: string;
  /** Short name for tables: the strategy parameter, or the whole key. */
  readonly name: string;
  readonly values: readonly string[];
  /** The values as numbers when every one is numeric (drift is measured on them), else null. */
  readonly numeric: readonly number[] | null;
}

export interface Combination {
  /** Index in grid order. */
  readonly index: number;
  /** `key=value` overrides, in axis order. */
  readonly overrides: readonly string[];
  /** The index of this combination's value on every axis (grid neighbours differ by 1 on one axis). */
  readonly coords: readonly number[];
}

/** N values evenly spaced over [min, max]; ints rounded and deduplicated. */
export function rangeValues(input: StrategyInput, steps: number): string[] | undefined {
  switch (input.type) {
    case 'bool':
      return ['false', 'true'];
    case 'select':
      return [...input.options];
    case 'int':
    case 'float': {
      if (input.min === undefined || input.max === undefined) return undefined;
      const out: number[] = [];
      for (let i = 0; i < steps; i++) {
        const x = input.min + ((input.max - input.min) * i) / (steps - 1);
        const v = input.type === 'int' ? Math.round(x) : Number(x.toPrecision(10));
        if (!out.includes(v)) out.push(v);
      }
      return out.map(String);
    }
  }
}

/** A parsed `--grid` axis (the command parses and checks them with sweep's parser). */
export interface GridAxisInput {
  readonly key: string;
  readonly values: readonly string[];
  readonly param?: string;
}

/** The axes searched: the --grid ones (already checked against the strategy's parameters), else the schema ranges. */
export function gridAxes(strategy: string, inputs: StrategyInputs, grid: readonly GridAxisInput[], steps: number): { axes: ParamAxis[]; fixed: string[] } {
  const fixed: string[] = [];
  let axes: ParamAxis[];
  if (grid.length > 0) {
    axes = grid.map((a) => ({ key: a.key, name: a.param ?? a.key, values: a.values, numeric: numericOf(a.values) }));
  } else {
    axes = [];
    for (const [name, input] of Object.entries(inputs)) {
      const values = rangeValues(input, steps);
      if (values === undefined) {
        fixed.push(name);
        continue;
      }
      axes.push({ key: `strategy.${strategy}.${name}`, name, values, numeric: numericOf(values) });
    }
  }
  return { axes, fixed };
}

/** Every combination of the axes, first axis slowest. */
export function combinations(axes: readonly ParamAxis[]): Combination[] {
  let coords: number[][] = [[]];
  for (const a of axes) coords = coords.flatMap((c) => a.values.map((_, i) => [...c, i]));
  const total = coords.length;
  if (total > 100_000) throw new CtError('CT_ERR_USAGE', `the parameter grid has ${total} combinations: too many for a walk-forward (use --grid or a smaller --steps)`, { details: { value: total } });
  return coords.map((c, index) => ({ index, coords: c, overrides: c.map((vi, ai) => `${axes[ai]!.key}=${axes[ai]!.values[vi]!}`) }));
}

function numericOf(values: readonly string[]): number[] | null {
  const nums = values.map(Number);
  return values.every((v) => v.trim() !== '' && Number.isFinite(Number(v))) ? nums : null;
}
