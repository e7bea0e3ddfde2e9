/**
 * The enabled strategies, as the daemon will run them: each one loads, its parameters pass its
 * schema and cross-parameter rule (src/app/strategy-params.ts, the same check every command runs
 * when the config is loaded; here a bad parameter is a failed check naming it, not an exit 2),
 * and it passes the look-ahead check (src/strategies/lookahead.ts) on recent candles: the store's
 * last candles of the range for a backtest, the exchange's last closed ones for forward and live.
 */
import type { RawConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { isCtError } from '../core/errors.ts';
import type { CandleColumns } from '../domain/candle.ts';
import { checkStrategyParams } from '../app/strategy-params.ts';
import { strategySpecs } from '../app/strategy-specs.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { loadStrategy } from '../strategies/loader.ts';
import { lookaheadCheck } from '../strategies/lookahead.ts';
import { fail, messageOf, pass, warn, type CheckResult } from './check.ts';

/** Recent candles per symbol for the look-ahead check, and where they came from (for the reason). */
export interface RecentCandles {
  readonly series: ReadonlyMap<string, CandleColumns>;
  readonly from: string;
}

/** The last `n` candles of a series (views, no copy). */
export function lastCandles(c: CandleColumns, n: number): CandleColumns {
  const s = Math.max(0, c.length - n);
  return { length: c.length - s, ts: c.ts.subarray(s), open: c.open.subarray(s), high: c.high.subarray(s), low: c.low.subarray(s), close: c.close.subarray(s), volume: c.volume.subarray(s) };
}

/** Fewer candles than this and the look-ahead check proves little: it runs on the seeded synthetic series instead. */
const MIN_LOOKAHEAD_CANDLES = 50;

export async function strategyChecks(config: Config, raw: RawConfig, recent: RecentCandles | undefined): Promise<CheckResult[]> {
  const enabled = config.strategies.enabled;
  const specs = strategySpecs(config, config.market.symbols);
  const broken = new Map<string, string>();
  for (const spec of specs) {
    try {
      await loadStrategy(spec.source);
    } catch (e) {
      broken.set(spec.instanceId, messageOf(e));
    }
  }
  const out: CheckResult[] = [];
  out.push(
    broken.size === 0
      ? pass('strategies.load', `${enabled.join(', ')} ${enabled.length === 1 ? 'loads' : 'load'}`)
      : fail('strategies.load', [...broken].map(([id, m]) => `${id}: ${m}`).join('; '), 'fix the strategy file named (npx tsx main.ts strategies list shows every strategy and its error), or take it out of strategies.enabled'),
  );
  let paramsOk = true;
  try {
    await checkStrategyParams(config, raw);
    const disabled = Object.keys(config.strategy).filter((id) => !enabled.includes(id)).sort();
    out.push(pass('strategies.params', `the parameters of ${enabled.join(', ')}${disabled.length > 0 ? ` and of the [strategy.*] sections of ${disabled.join(', ')} (not enabled)` : ''} are valid`));
  } catch (e) {
    if (!isCtError(e)) throw e;
    paramsOk = false;
    out.push(fail('strategies.params', e.message.split('\n').join('; '), 'set the parameter named within its schema (npx tsx main.ts strategies list shows each one\'s type, default and range)'));
  }
  if (broken.size > 0 || !paramsOk) {
    out.push(fail('strategies.lookahead', 'not run: a strategy does not load or its parameters are invalid (above)', 'fix the checks above first'));
    return out;
  }
  out.push(await lookaheadOf(config, specs, recent));
  return out;
}

async function lookaheadOf(config: Config, specs: ReturnType<typeof strategySpecs>, recent: RecentCandles | undefined): Promise<CheckResult> {
  const id = 'strategies.lookahead';
  const n = config.preflight.lookahead_candles;
  const symbols = config.market.symbols;
  const enough = recent !== undefined && symbols.every((s) => (recent.series.get(s)?.length ?? 0) >= MIN_LOOKAHEAD_CANDLES);
  const series = enough
    ? recent.series
    : generateSynthetic({ seed: config.dry_run.seed, symbols, timeframe: config.market.timeframe, from: config.dry_run.start ?? 0, count: n });
  const what = enough ? `the last ${Math.min(...symbols.map((s) => series.get(s)!.length))} candles per symbol of ${recent.from}` : `${n} seeded synthetic candles per symbol (no recent candles to check on${recent === undefined ? '' : ` in ${recent.from}`})`;
  const failed: string[] = [];
  try {
    for (const spec of specs) {
      const r = await lookaheadCheck(spec, symbols.map((symbol) => ({ symbol, candles: series.get(symbol)! })));
      if (!r.ok) failed.push(r.message);
    }
  } catch (e) {
    return fail(id, `the look-ahead check could not run: ${messageOf(e)}`, 'fix the strategy named');
  }
  if (failed.length > 0) return fail(id, `${failed.join('; ')} (on ${what})`, 'the strategy reads candles after the one it decides on, or keeps state outside its ctx: see docs/strategies.md "The look-ahead check"');
  if (!enough) return warn(id, `${specs.map((s) => s.instanceId).join(', ')} pass on ${what}`, 'import or download the candles of the run (backtest), or let the exchange answer (forward/live), to check on real ones');
  return pass(id, `${specs.map((s) => s.instanceId).join(', ')} pass on ${what}`);
}
