import { CtError, isCtError } from '../core/errors.ts';
import type { AnyStrategy } from '../strategy-sdk/contract.ts';

/**
 * A strategy's own cross-parameter rule (`checkParams`, e.g. fast < slow) on a validated
 * parameter set: the config key and the message that names it, or undefined when the set is fine.
 * One place for the config check at load and the runner's check, so both say the same thing.
 * `who` names the strategy in the error if checkParams itself throws (CT_ERR_STRATEGY_THREW).
 */
export function crossParamProblem(
  def: Pick<AnyStrategy, 'schema' | 'checkParams'>,
  params: Readonly<Record<string, unknown>>,
  who: string,
): { key: string; param: string; message: string } | undefined {
  let problem;
  try {
    problem = def.checkParams?.(params as never);
  } catch (e) {
    if (isCtError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CtError('CT_ERR_STRATEGY_THREW', `strategy ${who}: checkParams threw: ${msg}`, { cause: e, details: { strategy: who, handler: 'checkParams', message: msg } });
  }
  if (problem === undefined) return undefined;
  const key = `strategy.${def.schema.id}.${problem.param}`;
  return { key, param: problem.param, message: `${key} = ${String(params[problem.param])} is not allowed: ${problem.message}` };
}
