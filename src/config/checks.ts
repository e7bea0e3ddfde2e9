import type { Config, ConfigProblem } from './schema.ts';

/**
 * Cross-field rules: small named checks run after every key validated on its own. Each returns
 * the problems it finds, naming the key and value to change. Mode-dependent requirements live
 * here too (backtest needs a range; live needs confirmation; API keys are checked at start-up,
 * where the environment is known, by src/config/secrets.ts).
 */
type Check = (c: Config) => ConfigProblem[];

const backtestNeedsRange: Check = (c) => {
  if (c.general.mode !== 'backtest') return [];
  const out: ConfigProblem[] = [];
  if (c.backtest.from === null) out.push({ key: 'backtest.from', value: '', message: 'backtest.from is required in backtest mode: expected a date YYYY-MM-DD' });
  if (c.backtest.to === null) out.push({ key: 'backtest.to', value: '', message: 'backtest.to is required in backtest mode: expected a date YYYY-MM-DD' });
  if (c.backtest.from !== null && c.backtest.to !== null && c.backtest.from >= c.backtest.to) {
    out.push({ key: 'backtest.to', value: new Date(c.backtest.to).toISOString(), message: `backtest.to (${iso(c.backtest.to)}) must be after backtest.from (${iso(c.backtest.from)})` });
  }
  return out;
};

const symbolsMatchMarket: Check = (c) => {
  const out: ConfigProblem[] = [];
  const linear = c.exchange.market === 'linear';
  for (const [key, symbols] of [['market.symbols', c.market.symbols]] as const) {
    for (const s of symbols) {
      if (linear !== s.includes(':')) {
        out.push({
          key,
          value: s,
          message: `${key} = "${s}" does not fit exchange.market = ${c.exchange.market}: expected ${linear ? 'a linear perpetual like BTC/USDT:USDT' : 'a spot symbol like BTC/USDT'}`,
        });
      }
    }
  }
  return out;
};

const retryCapAboveBase: Check = (c) =>
  c.exchange.retry_cap_ms < c.exchange.retry_base_ms
    ? [{ key: 'exchange.retry_cap_ms', value: String(c.exchange.retry_cap_ms), message: `exchange.retry_cap_ms = ${c.exchange.retry_cap_ms} must be >= exchange.retry_base_ms (${c.exchange.retry_base_ms})` }]
    : [];

const stallAbovePing: Check = (c) =>
  c.exchange.ws_stall_timeout_ms <= c.exchange.ws_ping_interval_ms
    ? [{ key: 'exchange.ws_stall_timeout_ms', value: String(c.exchange.ws_stall_timeout_ms), message: `exchange.ws_stall_timeout_ms = ${c.exchange.ws_stall_timeout_ms} must be above exchange.ws_ping_interval_ms (${c.exchange.ws_ping_interval_ms}): a healthy connection is silent for up to one ping interval` }]
    : [];

const restartCapAboveBase: Check = (c) =>
  c.strategies.restart_cap_ms < c.strategies.restart_base_ms
    ? [{ key: 'strategies.restart_cap_ms', value: String(c.strategies.restart_cap_ms), message: `strategies.restart_cap_ms = ${c.strategies.restart_cap_ms} must be >= strategies.restart_base_ms (${c.strategies.restart_base_ms})` }]
    : [];

const weightsMatchEnabled: Check = (c) => {
  const out: ConfigProblem[] = [];
  let sum = 0;
  for (const w of c.strategies.weights) {
    const [id, v] = w.split(':') as [string, string];
    sum += Number(v);
    if (!c.strategies.enabled.includes(id)) {
      out.push({ key: 'strategies.weights', value: w, message: `strategies.weights names "${id}", which is not in strategies.enabled (${c.strategies.enabled.join(',')})` });
    }
  }
  if (c.strategies.weights.length > 0 && sum > 1 + 1e-9) {
    out.push({ key: 'strategies.weights', value: c.strategies.weights.join(','), message: `strategies.weights sum to ${sum}, expected at most 1` });
  }
  return out;
};

const noDuplicateStrategies: Check = (c) => {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const id of c.strategies.enabled) {
    if (seen.has(id)) out.push({ key: 'strategies.enabled', value: id, message: `strategies.enabled lists "${id}" twice` });
    seen.add(id);
  }
  return out;
};

const riskSizingHasItsKey: Check = (c) => {
  if (c.risk.sizing === 'fixed' && c.risk.fixed_qty <= 0) {
    return [{ key: 'risk.fixed_qty', value: String(c.risk.fixed_qty), message: 'risk.fixed_qty must be > 0 when risk.sizing = fixed' }];
  }
  if (c.risk.sizing === 'risk' && c.risk.risk_per_trade_pct <= 0) {
    return [{ key: 'risk.risk_per_trade_pct', value: String(c.risk.risk_per_trade_pct), message: 'risk.risk_per_trade_pct must be > 0 when risk.sizing = risk' }];
  }
  return [];
};

const spotIsUnlevered: Check = (c) =>
  c.exchange.market === 'spot' && c.risk.max_leverage > 1
    ? [{ key: 'risk.max_leverage', value: String(c.risk.max_leverage), message: `risk.max_leverage = ${c.risk.max_leverage} is not possible on spot: expected 1 (or use exchange.market = linear)` }]
    : [];

/**
 * Forward and live trade with real prices (and, later, real keys): their strategies run only as
 * sandboxed child processes. Worker and inline isolation share the daemon's process, its memory
 * and its files, so a strategy there could read the API secret (docs/strategies.md).
 */
const moneyModesIsolateInProcesses: Check = (c) =>
  (c.general.mode === 'forward' || c.general.mode === 'live') && c.strategies.isolation !== 'process'
    ? [{
        key: 'strategies.isolation',
        value: c.strategies.isolation,
        message: `strategies.isolation = ${c.strategies.isolation} is not allowed in ${c.general.mode} mode: expected process (worker and inline strategies share the daemon's process and could read its secrets)`,
      }]
    : [];

/** dry_run.symbols must fit the market too, but only matters (and is checked) when a dry-run starts. */
export function dryRunSymbolsProblems(c: Config): ConfigProblem[] {
  const linear = c.exchange.market === 'linear';
  return c.dry_run.symbols
    .filter((s) => linear !== s.includes(':'))
    .map((s) => ({
      key: 'dry_run.symbols',
      value: s,
      message: `dry_run.symbols = "${s}" does not fit exchange.market = ${c.exchange.market}: expected ${linear ? 'a linear perpetual like BTC/USDT:USDT' : 'a spot symbol like BTC/USDT'}`,
    }));
}

export const CONFIG_CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['backtestNeedsRange', backtestNeedsRange],
  ['symbolsMatchMarket', symbolsMatchMarket],
  ['retryCapAboveBase', retryCapAboveBase],
  ['stallAbovePing', stallAbovePing],
  ['restartCapAboveBase', restartCapAboveBase],
  ['weightsMatchEnabled', weightsMatchEnabled],
  ['noDuplicateStrategies', noDuplicateStrategies],
  ['riskSizingHasItsKey', riskSizingHasItsKey],
  ['spotIsUnlevered', spotIsUnlevered],
  ['moneyModesIsolateInProcesses', moneyModesIsolateInProcesses],
];

export function runConfigChecks(c: Config): ConfigProblem[] {
  return CONFIG_CHECKS.flatMap(([, check]) => check(c));
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
