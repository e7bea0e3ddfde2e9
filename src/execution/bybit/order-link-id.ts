/**
 * The client order id (Bybit's `orderLinkId`) of every order the daemon places. Bybit keeps it
 * unique per exchange account and answers a repeat with 110072, so an id derived from what the
 * order IS (not from when it was sent) makes a retried, timed-out or restarted submit unable to
 * place a second order: the adapter asks for the id before sending anything again.
 *
 *   ct<role><30 hex chars of sha256(epoch | key)>      e.g. cte3f1c...  (32 characters <= 36)
 *
 * - `ct` marks the daemon's orders: anything else on the account (an order placed by hand, a
 *   position TP/SL set on the website) is foreign and left alone.
 * - `role`: e = an order a strategy's Signal asked for, s = protective stop-loss, t = take-profit.
 * - `epoch` is the account's first run id: a new account (`--new-account`) on the same exchange
 *   account never reuses the id of an order of the account it replaced.
 * - `key`: the OrderIntent id (`<signal id>:o<n>`, itself deterministic) for entries and exits;
 *   `<strategy>:<symbol>:p<n>` for the n-th placement of a position's protective orders.
 */
import { createHash } from 'node:crypto';

export type LinkRole = 'e' | 's' | 't';

const PATTERN = /^ct[est][0-9a-f]{30}$/;

export function orderLinkIdOf(epoch: string, role: LinkRole, key: string): string {
  return `ct${role}${createHash('sha256').update(`${epoch}|${key}`).digest('hex').slice(0, 30)}`;
}

/** True for an id this daemon's scheme makes (which account it belongs to is the book's to say). */
export function isDaemonLinkId(linkId: string): boolean {
  return PATTERN.test(linkId);
}
