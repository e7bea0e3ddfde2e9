import { isCtError } from '../../core/errors.ts';
import { crossParamProblem } from '../../strategies/cross-param-check.ts';
import type { LoadedStrategy } from '../../strategies/loader.ts';
import { validateParams, type StrategyInput, type StrategySchema } from '../../strategy-sdk/schema.ts';
import type { Prompter } from './prompter.ts';
import { CONSOLE_WIDTH, fit } from './text-fit.ts';

/**
 * A strategy's parameters at prompts, from its schema: each shows its type, its bounds or
 * choices and its current value (the config's, else the schema default), and is validated as it
 * is typed by the same code that validates the config. Then the strategy's own cross-parameter
 * rule (e.g. fast < slow) runs on the whole set; a failure names the parameter and value and asks
 * that parameter again.
 */

/** `fast: int 2..200` style: what the parameter accepts. */
export function inputKind(inp: StrategyInput): string {
  switch (inp.type) {
    case 'int':
    case 'float': {
      const lo = inp.min ?? '-inf', hi = inp.max ?? 'inf';
      return inp.min === undefined && inp.max === undefined ? inp.type : `${inp.type} ${lo}..${hi}`;
    }
    case 'bool':
      return 'bool';
    case 'select':
      return `one of ${inp.options.join('|')}`;
  }
}

/** The prompt line of one parameter, within the console width. */
export function paramMessage(id: string, name: string, inp: StrategyInput): string {
  const desc = inp.description ? `: ${inp.description}` : '';
  return fit(`${id}.${name} (${inputKind(inp)}, default ${String(inp.default)})${desc}`, 72);
}

/**
 * Validation of one typed value: true, or the config validator's message, shortened to fit
 * under the prompt (`simple_ma.fast = "abc": expected an integer in [1, 1000]`: it names the
 * parameter and the value).
 */
export function validateTyped(schema: StrategySchema, name: string, text: string): true | string {
  try {
    validateParams(schema, { [name]: text.trim() });
    return true;
  } catch (e) {
    if (isCtError(e)) return fit(e.message.replace(/^strategy\./, '').replace(' is not allowed:', ':'), CONSOLE_WIDTH - 2);
    throw e;
  }
}

/** The cross-parameter problem of a full set of text values, if any. */
export function crossProblem(loaded: LoadedStrategy, values: Readonly<Record<string, string>>): { param: string; message: string } | undefined {
  const p = crossParamProblem(loaded.def, validateParams(loaded.schema, values), loaded.schema.id);
  return p === undefined ? undefined : { param: p.param, message: p.message };
}

/**
 * The `--set strategy.<id>.<name>=<value>` overrides the answers need relative to the base
 * config: only values that differ (as validated values, so "10" and "10.0" of a float are equal).
 */
export function paramOverrides(schema: StrategySchema, base: Readonly<Record<string, string>>, chosen: Readonly<Record<string, string>>): string[] {
  const now = validateParams(schema, chosen) as Record<string, unknown>;
  // Each base value on its own: one the config got wrong differs from any valid answer.
  const was = (k: string): unknown => {
    try {
      return (validateParams(schema, { [k]: base[k] }) as Record<string, unknown>)[k];
    } catch {
      return undefined;
    }
  };
  return Object.keys(schema.inputs).filter((k) => was(k) !== now[k]).map((k) => `strategy.${schema.id}.${k}=${chosen[k]!}`);
}

/** Asks every parameter of one strategy; returns the overrides for the answers. */
export async function askParams(p: Prompter, loaded: LoadedStrategy, base: Readonly<Record<string, string>>): Promise<string[]> {
  const { schema } = loaded;
  const names = Object.keys(schema.inputs);
  if (names.length === 0) return [];
  p.say(fit(`Parameters of ${schema.id} ${schema.version} (Enter keeps the value shown):`));
  const values: Record<string, string> = {};
  const askOne = async (name: string): Promise<void> => {
    const inp = schema.inputs[name]!;
    const current = values[name] ?? base[name] ?? String(inp.default);
    const msg = paramMessage(schema.id, name, inp);
    if (inp.type === 'bool') values[name] = String(await p.confirm(msg, current === 'true'));
    else if (inp.type === 'select') values[name] = await p.select(msg, inp.options.map((o) => ({ value: o, name: o })), current);
    else values[name] = (await p.input(msg, current, (t) => validateTyped(schema, name, t))).trim();
  };
  for (const name of names) await askOne(name);
  for (let problem = crossProblem(loaded, values); problem !== undefined; problem = crossProblem(loaded, values)) {
    p.say(fit(problem.message));
    await askOne(problem.param);
  }
  return paramOverrides(schema, base, values);
}
