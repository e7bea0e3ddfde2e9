/**
 * Exchange execution (forward on Bybit's demo account or testnet, live): the API keys are in the
 * environment under the names [secrets] gives (never in the config), Bybit accepts them, they may
 * trade and may NOT withdraw (a key that can move funds out is refused: the daemon never needs
 * it), the balance covers the configured sizing, and the account is the unified trading account
 * the Bybit adapter trades. The clock is checked here against the signed API (the one that
 * refuses a skewed timestamp).
 *
 * The evaluations are pure functions of what the private API reported, so the start of an
 * exchange-backed run (src/app/modes/exchange-run.ts) runs them on what it reads anyway.
 */
import type { Config } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import { isCtError } from '../core/errors.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { AccountInfo, BybitPrivateApi, WalletCoin } from '../venues/bybit/private-types.ts';
import { fail, messageOf, pass, warn, type CheckResult } from './check.ts';

/** Permissions (as `group:name`, private-replies.ts parseAccountInfo) that let a key place orders on a market. */
const TRADE_PERMISSIONS: Readonly<Record<MarketType, readonly string[]>> = {
  spot: ['Spot:SpotTrade'],
  linear: ['ContractTrade:Order', 'Derivatives:DerivativesTrade'],
};
/** Bybit's withdraw permission (Get API Key Information: permissions.Wallet includes "Withdraw"). */
const WITHDRAW_PERMISSION = 'Wallet:Withdraw';

export function keysPresentCheck(config: Config, secrets: Secrets): CheckResult {
  const missing = [!secrets.apiKey ? config.secrets.api_key_env : '', !secrets.apiSecret ? config.secrets.api_secret_env : ''].filter((x) => x !== '');
  if (missing.length > 0) {
    return fail('keys.present', `${missing.join(' and ')} not set in the environment (names from [secrets] in ${config.source})`, `set ${missing.join(' and ')} in .env or the service's environment (see .env.example); never in the config file`);
  }
  return pass('keys.present', `${config.secrets.api_key_env} and ${config.secrets.api_secret_env} are set in the environment`);
}

/** keys.trade and keys.withdraw from what Bybit says of the key. No permissions listed = the venue does not tell (demo trading). */
export function permissionChecks(info: AccountInfo, market: MarketType): CheckResult[] {
  const listed = info.permissions;
  if (info.readOnly) {
    return [fail('keys.trade', 'the API key is read-only (readOnly = 1): orders would be refused', 'create a key with Read-Write and the trade permission of the market, in the Bybit API management page'), withdrawCheck(listed)];
  }
  if (listed.length === 0) {
    return [
      warn('keys.trade', 'the exchange does not report the key\'s permissions (Bybit demo trading has no /v5/user/query-api); read-write key assumed', 'check the key\'s permissions on the API management page of the demo account'),
      warn('keys.withdraw', 'the exchange does not report the key\'s permissions: withdraw permission not checked', 'make sure the key has no Withdraw permission'),
    ];
  }
  const wanted = TRADE_PERMISSIONS[market];
  const trade = wanted.some((p) => listed.includes(p))
    ? pass('keys.trade', `the key may trade ${market} (${wanted.filter((p) => listed.includes(p)).join(', ')})`)
    : fail('keys.trade', `the key lacks the ${market} trade permission (needs ${wanted.join(' or ')}; has ${listed.join(', ')})`, `give the key the ${market === 'spot' ? 'Spot Trade' : 'Contract / Derivatives Order'} permission, or use a key that has it`);
  return [trade, withdrawCheck(listed)];
}

function withdrawCheck(listed: readonly string[]): CheckResult {
  if (listed.includes(WITHDRAW_PERMISSION)) {
    return fail('keys.withdraw', 'the key has the Withdraw permission: a leaked key could move the funds out; the daemon never withdraws', 'create a key without Withdraw (Wallet: Account Transfer at most) and put it in the environment');
  }
  return pass('keys.withdraw', 'the key cannot withdraw');
}

/** The adapter trades a unified trading account (wallet-balance accountType UNIFIED). */
export function accountModeCheck(info: AccountInfo): CheckResult {
  if (info.kind.startsWith('UTA')) return pass('account.mode', `a unified trading account (${info.kind}), as the Bybit adapter expects`);
  return fail('account.mode', `the account is ${info.kind}, not a unified trading account (UTA)`, 'upgrade the account to the Unified Trading Account on Bybit, or use another account');
}

/**
 * The quote coin's balance against the configured sizing: there must be some, and a fixed size
 * must be payable for every strategy on the dearest symbol at once (at max_leverage).
 */
export function balanceCheck(config: Config, wallet: readonly WalletCoin[], quote: string, prices: ReadonlyMap<string, number>): CheckResult {
  const id = 'account.balance';
  const cash = wallet.find((c) => c.coin === quote)?.walletBalance ?? 0;
  if (!(cash > 0)) return fail(id, `the account holds no ${quote} (wallet ${cash})`, `fund the account with ${quote} (demo: the demo account's "request demo funds")`);
  if (config.risk.sizing === 'fixed') {
    const dearest = Math.max(0, ...prices.values());
    const need = (config.risk.fixed_qty * dearest * config.strategies.enabled.length) / config.risk.max_leverage;
    if (need > cash) return fail(id, `${cash} ${quote} does not cover fixed_qty ${config.risk.fixed_qty} x ${dearest} for ${config.strategies.enabled.length} strategies (${need.toFixed(2)} ${quote})`, 'lower risk.fixed_qty or fund the account');
    return pass(id, `${cash} ${quote} covers fixed_qty ${config.risk.fixed_qty} for ${config.strategies.enabled.length} strategies (${need.toFixed(2)} ${quote})`);
  }
  return pass(id, `${cash} ${quote} to trade with; ${config.risk.sizing} sizing takes its share of it (risk.position_pct = ${config.risk.position_pct})`);
}

export interface AccountFindings {
  readonly checks: CheckResult[];
  readonly info?: AccountInfo;
  readonly wallet?: readonly WalletCoin[];
}

/** Clock, key validity, permissions, account mode and wallet over the signed API (balance and sizing: the caller, with prices). */
export async function accountChecks(config: Config, api: BybitPrivateApi, label: string): Promise<AccountFindings> {
  const checks: CheckResult[] = [];
  try {
    const { skewMs } = await api.checkClock();
    checks.push(pass('exchange.clock', `the local clock is ${Math.abs(skewMs)} ms ${skewMs > 0 ? 'ahead of' : 'behind'} ${label}'s${config.preflight.max_clock_skew_ms === 0 ? ' (preflight.max_clock_skew_ms = 0: measured and reported only)' : ` (allowed ${config.preflight.max_clock_skew_ms} ms)`}`));
  } catch (e) {
    if (isCtError(e) && e.code === 'CT_ERR_CLOCK_SKEW') checks.push(fail('exchange.clock', `${e.message.split(': signed')[0]} (${label})`, 'sync the system clock (NTP: timedatectl set-ntp true, or chronyd)'));
    else checks.push(fail('exchange.clock', `${label} /v5/market/time did not answer: ${messageOf(e)}`, 'check the exchange URL of the account in [exchange]'));
  }
  let info: AccountInfo;
  try {
    info = await api.accountInfo();
    checks.push(pass('keys.valid', `${label} accepts the API key`));
  } catch (e) {
    const auth = isCtError(e) && e.code === 'CT_ERR_EXCHANGE_AUTH';
    checks.push(fail('keys.valid', auth ? `${label} refuses the API key: ${messageOf(e)}` : `the key could not be checked: ${messageOf(e)}`, auth ? `check ${config.secrets.api_key_env} / ${config.secrets.api_secret_env}, the key's IP allow-list and that it belongs to ${label}` : 'check the network and the exchange URL'));
    return { checks };
  }
  checks.push(...permissionChecks(info, config.exchange.market), accountModeCheck(info));
  try {
    const wallet = await api.wallet();
    return { checks, info, wallet };
  } catch (e) {
    checks.push(fail('account.balance', `the wallet could not be read: ${messageOf(e)}`, 'check the key\'s read permission on the wallet'));
    return { checks, info };
  }
}
