import { CtError } from '../core/errors.ts';
import { TIMEFRAME_NAMES } from '../core/timeframe.ts';
import { formProblems, type BacktestForm, type FormInput } from './form-rules.ts';

/** The largest request body the dashboard reads: a form is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A posted backtest form turned into the `--set` overrides of the CLI's backtest: the page's own
 * checks first (form-rules.ts, the same function the browser ran), so a hand-made request gets
 * the same answer as the form. Everything else (the config validation, the strategy's schema and
 * its cross-parameter rule) is the CLI's, run by the caller on these sets.
 */
export function backtestSets(body: unknown, inputsOf: (id: string) => Readonly<Record<string, FormInput>> | undefined): string[] {
  const form = readForm(body);
  const problems = formProblems(form, form.strategy, inputsOf(form.strategy), TIMEFRAME_NAMES);
  if (problems.length > 0) throw new CtError('CT_ERR_USAGE', problems.join('\n'), { details: { problems } });
  const id = form.strategy;
  return [
    'general.mode=backtest',
    `strategies.enabled=${id}`,
    `market.symbols=${form.symbols.split(',').map((s) => s.trim()).join(',')}`,
    `market.timeframe=${form.timeframe}`,
    `backtest.from=${form.from}`,
    `backtest.to=${form.to}`,
    ...Object.entries(form.params).map(([k, v]) => `strategy.${id}.${k}=${v.trim()}`),
  ];
}

/** The form's fields, each a string of printable characters (a value is one argv item, never a shell word). */
function readForm(body: unknown): BacktestForm {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw usage('the request body must be a JSON object {strategy, symbols, timeframe, from, to, params}');
  const b = body as Record<string, unknown>;
  const text = (name: string, v: unknown): string => {
    if (typeof v !== 'string') throw usage(`${name}: expected a string, got ${v === undefined ? 'nothing' : typeof v}`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v) || v.length > 200) throw usage(`${name}: expected at most 200 printable characters`);
    return v;
  };
  const strategy = text('strategy', b.strategy);
  if (!/^[a-z][a-z0-9_]*$/.test(strategy)) throw usage(`strategy: "${strategy}" is not a strategy id`);
  const rawParams = b.params ?? {};
  if (rawParams === null || typeof rawParams !== 'object' || Array.isArray(rawParams)) throw usage('params: expected an object of parameter name -> value text');
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawParams as Record<string, unknown>)) {
    // A name is one config key: no dot or '=' may reach another section through the --set.
    if (!/^[a-z][a-z0-9_]*$/.test(k)) throw usage(`params: "${k}" is not a parameter name`);
    params[k] = text(`strategy.${strategy}.${k}`, typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);
  }
  return { strategy, symbols: text('symbols', b.symbols), timeframe: text('timeframe', b.timeframe), from: text('from', b.from), to: text('to', b.to), params };
}

function usage(message: string): CtError {
  return new CtError('CT_ERR_USAGE', message);
}
