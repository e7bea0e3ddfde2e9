import type { Config } from '../config/schema.ts';
import { CtError, isCtError } from '../core/errors.ts';
import { parseState, StateReader, stringifyState } from '../core/state-json.ts';
import type { LoopState } from '../engine/loop-state.ts';
import type { Account } from './account.ts';
import { riskConfigOf } from './component-options.ts';

/**
 * The ONE saved state of a resumable account (a forward run's account_state row): a versioned
 * plain-JSON document with a part per component, each written by that component's `snapshot()`
 * and read back by its `restore()`:
 *
 *   { v, identity, portfolio, risk, execution, loop }
 *
 * `identity` is what the state only makes sense with: a config that differs there is refused
 * (CT_ERR_ACCOUNT_MISMATCH, naming the key), never silently applied to an account that was
 * traded otherwise. Everything else in the config (fees, slippage, risk limits, strategy
 * parameters) may change between runs and applies from the next step on.
 */

const SNAPSHOT_VERSION = 1;

/** Config keys whose value the saved state depends on, with the value the account was traded with. */
export interface AccountIdentity {
  readonly 'exchange.market': string;
  readonly 'market.timeframe': string;
  readonly 'market.symbols': string;
  readonly 'strategies.enabled': string;
  /** The resolved weights (equal shares when strategies.weights is empty), `id:weight` in strategy order. */
  readonly 'strategies.weights': string;
  readonly 'execution.atr_period': string;
  /**
   * Where the account's orders go: paper (the fill simulator), bybit_demo, bybit_testnet or
   * bybit_live. A state saved before this key existed was a paper account.
   */
  readonly 'forward.execution': string;
}

export function accountIdentity(config: Config, execution = 'paper'): AccountIdentity {
  const w = riskConfigOf(config).strategyWeights;
  return {
    'exchange.market': config.exchange.market,
    'market.timeframe': config.market.timeframe,
    'market.symbols': config.market.symbols.join(','),
    'strategies.enabled': config.strategies.enabled.join(','),
    'strategies.weights': config.strategies.enabled.map((id) => `${id}:${w[id] ?? 0}`).join(','),
    'execution.atr_period': String(config.execution.atr_period),
    'forward.execution': execution,
  };
}

/** The account's state after the step the loop processed last, as the text of an account_state row. */
export function encodeAccount(account: Account, loop: LoopState, identity: AccountIdentity): string {
  const pending = account.execution.pendingOrders().map((o) => o.id);
  return stringifyState({
    v: SNAPSHOT_VERSION,
    identity,
    portfolio: account.portfolio.snapshot(),
    risk: account.gate.snapshot(),
    execution: account.execution.snapshot(),
    loop: loop.snapshot(pending),
  });
}

/** Where a saved state came from, for messages. */
export interface SavedAt {
  readonly account: string;
  readonly runId: string;
}

const wayOut = 'start a new account with --new-account (the old one is then marked abandoned)';

/**
 * Reads an account_state text and checks it against the config: the parts, ready for `restoreAccount`.
 * A malformed text or part is CT_ERR_ACCOUNT_STATE, a config that differs from the identity CT_ERR_ACCOUNT_MISMATCH.
 */
export function decodeAccount(text: string, config: Config, at: SavedAt, execution = 'paper'): SavedAccount {
  return withContext(at, () => {
    const r = new StateReader(parseState(text, 'account state'), 'account state').version(SNAPSHOT_VERSION);
    const id = r.obj('identity');
    const now = accountIdentity(config, execution);
    for (const key of Object.keys(now) as Array<keyof AccountIdentity>) {
      const was = key === 'forward.execution' && id.raw(key) === undefined ? 'paper' : id.str(key);
      if (was !== now[key]) {
        throw new CtError('CT_ERR_ACCOUNT_MISMATCH', `account ${at.account} (run ${at.runId}): ${key} = ${now[key]}, but the account was traded with ${was}; put ${key} back, or ${wayOut}`, {
          details: { key, value: now[key], account: was, runId: at.runId },
        });
      }
    }
    const portfolio = r.obj('portfolio');
    return { initialCash: portfolio.finite('initialCash'), portfolio: r.raw('portfolio'), risk: r.raw('risk'), execution: r.raw('execution'), loop: r.raw('loop'), at };
  });
}

export interface SavedAccount {
  /** The account's own starting cash (its equity formulas use it, whatever forward.initial_cash says now). */
  readonly initialCash: number;
  readonly portfolio: unknown;
  readonly risk: unknown;
  readonly execution: unknown;
  readonly loop: unknown;
  readonly at: SavedAt;
}

/** Restores a freshly built account (built with `saved.initialCash`) and loop state from a saved state. */
export function restoreAccount(account: Account, loop: LoopState, saved: SavedAccount): void {
  withContext(saved.at, () => {
    // The portfolio first: the gate's breakers read its equity marks.
    account.portfolio.restore(saved.portfolio);
    account.gate.restore(saved.risk);
    account.execution.restore(saved.execution);
    loop.restore(saved.loop);
  });
}

/** Runs `fn`; a CT_ERR_ACCOUNT_STATE from it is rethrown naming the account, the run and the way out. */
function withContext<T>(at: SavedAt, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isCtError(e) && e.code === 'CT_ERR_ACCOUNT_STATE') {
      throw new CtError('CT_ERR_ACCOUNT_STATE', `account ${at.account}: the saved state of run ${at.runId} cannot be restored: ${e.message}; nothing was traded; ${wayOut}`, {
        cause: e,
        details: { ...e.details, runId: at.runId, account: at.account },
      });
    }
    throw e;
  }
}
