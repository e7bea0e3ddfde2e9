/**
 * What tests and the admin endpoint see of an account: copies of its orders, executions, positions
 * and balances, never its secret. Tests compare a daemon's book with this (the exchange's truth).
 */
import type { FakeAccount, FakeExecution, FakeOrder, FakePosition } from './accounts.ts';

export interface AccountView {
  readonly apiKey: string;
  readonly takerFee: number;
  readonly balances: Readonly<Record<string, number>>;
  readonly orders: readonly FakeOrder[];
  readonly executions: readonly FakeExecution[];
  /** Open linear positions (size != 0), signed size. */
  readonly positions: readonly FakePosition[];
}

export function accountView(a: FakeAccount): AccountView {
  return {
    apiKey: a.apiKey,
    takerFee: a.takerFee,
    balances: Object.fromEntries([...a.balances.entries()].sort(([x], [y]) => x.localeCompare(y))),
    orders: a.orders.map((o) => ({ ...o })),
    executions: a.executions.map((e) => ({ ...e })),
    positions: [...a.positions.values()].filter((p) => p.size !== 0).map((p) => ({ ...p })),
  };
}
