/**
 * The preflight at every forward/live start: the fatal checks that concern the run about to trade,
 * run on what the start reads anyway (the same ccxt client for the paper feed, the account,
 * instruments and wallet an exchange-backed start reads), so the start loads the instruments once.
 * A failed fatal check refuses the start (CT_ERR_PREFLIGHT_FAILED, naming each), unless
 * --skip-preflight was given: then the failures are logged at warn and the run goes on.
 *
 * Not run at a start: the daemon lock (the session takes it and refuses a second daemon itself),
 * strategies.load / strategies.params (checked when the config is loaded, exit 2), the look-ahead
 * check and the full warm-up fetch (the `preflight` command runs them; the warm-up follows at once).
 */
import type { Config } from '../config/schema.ts';
import { CtError } from '../core/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import type { AccountInfo, InstrumentRules, WalletCoin } from '../venues/bybit/private-types.ts';
import { accountModeCheck, balanceCheck, permissionChecks } from './account-checks.ts';
import { fatalFailures, type CheckResult } from './check.ts';
import { localChecks } from './local-checks.ts';
import { marketChecks } from './market-checks.ts';
import { exchangeRetryPolicy } from '../app/component-options.ts';
import { sizingCheck } from './sizing-check.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import { fetchRecentClosedKlines } from '../venues/bybit/kline-windows.ts';

/** Candles fetched for the start's sizing check: the last close, and enough for the ATR of risk sizing. */
function sizingCandles(config: Config): number {
  return config.execution.atr_period + 2;
}

/** Refuses the start on a failed fatal check, or logs the failures and goes on with --skip-preflight. */
export function enforcePreflight(checks: readonly CheckResult[], opts: { readonly skip: boolean; readonly mode: string; readonly log: Logger }): void {
  const failed = fatalFailures(checks);
  if (failed.length === 0) {
    opts.log.info({ checks: checks.map((c) => `${c.id}:${c.status}`) }, `preflight: ${checks.length} start checks, none failed`);
    return;
  }
  const ids = failed.map((c) => c.id).join(', ');
  const detail = failed.map((c) => `${c.id}: ${c.reason} (fix: ${c.fix})`).join('; ');
  if (opts.skip) {
    opts.log.warn({ code: 'CT_ERR_PREFLIGHT_FAILED', failed: failed.map((c) => ({ id: c.id, reason: c.reason })) }, `preflight: ${failed.length} fatal check(s) failed (${ids}); starting anyway because of --skip-preflight: ${detail}`);
    return;
  }
  throw new CtError('CT_ERR_PREFLIGHT_FAILED', `${opts.mode} start refused: preflight check(s) failed: ${detail}. Run \`npx tsx main.ts preflight --mode ${opts.mode}\` for the full report, or start with --skip-preflight to override`, {
    details: { failed: failed.map((c) => c.id) },
  });
}

/** Paper forward: the local checks and the exchange's public side (answers, clock, symbols, sizing on forward.initial_cash), on the client the run then uses. */
export async function paperStartChecks(config: Config, client: BybitClient, log: Logger): Promise<CheckResult[]> {
  const m = await marketChecks(config, client, { candles: sizingCandles(config), clock: true, warmup: false, label: 'Bybit', retry: exchangeRetryPolicy(config) }, log);
  const out = [...localChecks(config, { start: true }), ...m.checks];
  if (m.answered) out.push(sizingCheck(config, { rules: m.rules, candles: m.candles, cash: config.forward.initial_cash, cashFrom: 'forward.initial_cash' }));
  return out;
}

/**
 * Exchange-backed start, from what `prepare` read: the local checks, the key's permissions, the
 * account mode, and for a new account with a fixed size the balance (a resumed one may hold its
 * cash in positions; an empty wallet is refused by the account itself, CT_ERR_EXCHANGE_REJECTED).
 */
export function accountStartChecks(config: Config, read: { readonly info: AccountInfo; readonly wallet: readonly WalletCoin[]; readonly quote: string; readonly newAccount: boolean }): CheckResult[] {
  const out = [...localChecks(config, { start: true }), ...permissionChecks(read.info, config.exchange.market), accountModeCheck(read.info)];
  const cash = read.wallet.find((c) => c.coin === read.quote)?.walletBalance ?? 0;
  if (read.newAccount && cash > 0) out.push(balanceCheck(config, read.wallet, read.quote, new Map()));
  return out;
}

/** Exchange-backed start, once the public client is there: the sizing on the account's equity (`cash`) at the last close. */
export async function sizingStartCheck(config: Config, client: BybitClient, rules: ReadonlyMap<string, InstrumentRules>, cash: number, cashFrom: string, skewMs: number, log: Logger): Promise<CheckResult[]> {
  const tfMs = timeframeMs(config.market.timeframe);
  // On the exchange's clock (the skew measured at start), as the warm-up that follows.
  const forming = Math.floor((Date.now() - skewMs) / tfMs) * tfMs;
  const candles = new Map<string, CandleColumns>();
  for (const s of config.market.symbols) {
    try {
      candles.set(s, await fetchRecentClosedKlines(client, s, config.market.timeframe, forming - sizingCandles(config) * tfMs, forming, exchangeRetryPolicy(config), log));
    } catch {
      // Not known: sizingCheck says so (a warning); the warm-up that follows fetches the same candles and fails the start if it cannot.
    }
  }
  return [sizingCheck(config, { rules, candles, cash, cashFrom })];
}
