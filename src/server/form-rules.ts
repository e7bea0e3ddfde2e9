/**
 * The rules of the backtest form that the browser checks before it posts, as ONE function the
 * page runs too: the dashboard sends its source text (`formProblems.toString()`) to the browser,
 * so the two sides cannot drift apart. The server then checks the same fields with it, and after
 * that with what the CLI itself checks (the config validation, each strategy's schema and its
 * cross-parameter rule), which only the server can run.
 *
 * It must stay self-contained: no imports, no helpers, no inner functions (its text is run alone
 * in the page).
 */

/** One input of a strategy schema as the page gets it (src/strategy-sdk/schema.ts StrategyInput). */
export interface FormInput {
  readonly type: 'int' | 'float' | 'bool' | 'select';
  readonly min?: number;
  readonly max?: number;
  readonly options?: readonly string[];
}

/** What the form sends: every value as the text the user typed. */
export interface BacktestForm {
  readonly strategy: string;
  readonly symbols: string;
  readonly timeframe: string;
  readonly from: string;
  readonly to: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Every problem of a form against the strategy's inputs, as `field: message` lines (field =
 * `symbols`, `from`, ..., or `strategy.<id>.<param>`); empty when the form may be posted.
 */
export function formProblems(form: BacktestForm, strategyId: string, inputs: Readonly<Record<string, FormInput>> | undefined, timeframes: readonly string[]): string[] {
  const out: string[] = [];
  if (inputs === undefined) out.push(`strategy: unknown strategy "${String(form.strategy)}"`);
  const symbols = String(form.symbols).split(',');
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!.trim();
    if (!/^[A-Z0-9]{2,15}\/[A-Z0-9]{2,10}(:[A-Z0-9]{2,10})?$/.test(s)) {
      out.push(`symbols: "${s}" is not a symbol like BTC/USDT (a comma list of ccxt symbols)`);
      break;
    }
  }
  if (!timeframes.includes(String(form.timeframe))) out.push(`timeframe: "${String(form.timeframe)}" is not one of ${timeframes.join(', ')}`);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const fromOk = day.test(String(form.from)) && !Number.isNaN(Date.parse(`${form.from}T00:00:00Z`));
  const toOk = day.test(String(form.to)) && !Number.isNaN(Date.parse(`${form.to}T00:00:00Z`));
  if (!fromOk) out.push(`from: "${String(form.from)}" is not a date YYYY-MM-DD`);
  if (!toOk) out.push(`to: "${String(form.to)}" is not a date YYYY-MM-DD`);
  if (fromOk && toOk && Date.parse(`${form.to}T00:00:00Z`) <= Date.parse(`${form.from}T00:00:00Z`)) out.push(`to: ${form.to} must be after from ${form.from}`);
  if (inputs === undefined) return out;
  const params = form.params !== null && typeof form.params === 'object' ? form.params : {};
  for (const name of Object.keys(params)) {
    const key = `strategy.${strategyId}.${name}`;
    const input = Object.prototype.hasOwnProperty.call(inputs, name) ? inputs[name] : undefined;
    const text = String(params[name]).trim();
    if (input === undefined) {
      out.push(`${key}: unknown parameter; ${strategyId} takes: ${Object.keys(inputs).join(', ') || 'no parameters'}`);
      continue;
    }
    if (input.type === 'bool') {
      if (text !== 'true' && text !== 'false') out.push(`${key} = "${text}" is not allowed: expected true or false`);
      continue;
    }
    if (input.type === 'select') {
      if (!(input.options ?? []).includes(text)) out.push(`${key} = "${text}" is not allowed: expected one of ${(input.options ?? []).join(', ')}`);
      continue;
    }
    const isNumber = input.type === 'int' ? /^-?\d+$/.test(text) : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
    const n = Number(text);
    const range = `${input.min === undefined ? '' : ` >= ${input.min}`}${input.min !== undefined && input.max !== undefined ? ' and' : ''}${input.max === undefined ? '' : ` <= ${input.max}`}`;
    if (!isNumber || !Number.isFinite(n) || (input.min !== undefined && n < input.min) || (input.max !== undefined && n > input.max)) {
      out.push(`${key} = "${text}" is not allowed: expected ${input.type === 'int' ? 'a whole number' : 'a number'}${range}`);
    }
  }
  return out;
}
