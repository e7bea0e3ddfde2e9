import type { Config } from '../config/schema.ts';
import { isoUtc } from '../core/time.ts';
import { emptyColumns, type Candle, type CandleColumns } from '../domain/candle.ts';
import { stepsFromBatch, type CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { LoopState } from '../engine/loop-state.ts';
import { ReplaySource } from '../engine/sources/replay-source.ts';
import { SimulatedExecution } from '../execution/simulated-execution.ts';
import type { Logger } from '../observability/logger.ts';
import {
  accountChain, chainCandles, chainFills, latestAccountRun, latestAccountState, recordUntradedCandles, startAccountRun, type AccountRun,
} from '../persistence/account-state.ts';
import type { StateDb } from '../persistence/state-db.ts';
import type { BybitClient } from '../venues/bybit/ccxt-client.ts';
import type { HostGroup } from '../workers/host-group.ts';
import type { ExecutionAdapter } from '../execution/execution-adapter.ts';
import type { ExchangeRules } from '../engine/risk/risk-gate.ts';
import { buildResumableAccount, type Account, type ResumableAccount } from './account.ts';
import { fillModelOf } from './component-options.ts';
import { accountIdentity, decodeAccount, encodeAccount, restoreAccount, type SavedAccount } from './account-snapshot.ts';
import { catchUpFromExchange, warmUpFromExchange } from './forward-warmup.ts';

/**
 * Resume by default: a forward run continues the account named by `forward.account`. Each
 * process start is its own run; it continues the account's latest run (whatever that run's
 * status: crashed, interrupted, failed, completed, or still `running` when its process died
 * unnoticed) unless that run was `abandoned`. The account is restored from the newest saved
 * state along the chain of runs (runs.resumed_from), which is the state after its last
 * committed step; `--new-account` starts afresh and marks the latest run `abandoned`.
 *
 * The strategies are rebuilt by replaying, in time order, every candle the account's strategies
 * were fed (run_candles of the whole chain), then the candles that closed while the daemon was
 * down (src/app/forward-warmup.ts); no Signal of either is traded. docs/resume.md is the manual.
 */

export type AccountPlan =
  | { readonly kind: 'new'; readonly account: string; readonly why: string; readonly abandon?: AccountRun }
  | {
      readonly kind: 'resume';
      readonly account: string;
      /** The run this one continues (the account's latest). */
      readonly from: AccountRun;
      /** `from` and the runs it continued, newest first. */
      readonly chain: readonly AccountRun[];
      /** The newest saved state along the chain (undefined: no run of the account got to a step). */
      readonly saved: { readonly runId: string; readonly ts: number; readonly text: string; readonly account: SavedAccount } | undefined;
    };

/**
 * Decides what this run trades (read-only; nothing is written until the account is built): it
 * fails here, before any strategy starts, when the saved state cannot be read or does not fit
 * the config.
 */
/** Which account a run trades and where its orders go (paper by default: forward.account on the fill simulator). */
export interface AccountTarget {
  readonly account: string;
  /** paper | bybit_demo | bybit_testnet | bybit_live: part of the account's identity. */
  readonly execution: string;
  /** A fresh adapter of that kind for the account whose first run is `epoch`, to check a saved state with before anything starts. */
  readonly scratchExecution: (epoch: string) => ExecutionAdapter;
}

export function paperTarget(config: Config): AccountTarget {
  return { account: config.forward.account, execution: 'paper', scratchExecution: () => new SimulatedExecution(fillModelOf(config)) };
}

export function planAccount(db: StateDb, runId: string, config: Config, newAccount: boolean, target: AccountTarget = paperTarget(config)): AccountPlan {
  const account = target.account;
  const latest = latestAccountRun(db, account, runId);
  if (newAccount) {
    return latest !== undefined && latest.status !== 'abandoned'
      ? { kind: 'new', account, why: '--new-account', abandon: latest }
      : { kind: 'new', account, why: `--new-account (account ${account} has no run to give up)` };
  }
  if (latest === undefined) return { kind: 'new', account, why: `account ${account} has no earlier run` };
  if (latest.status === 'abandoned') return { kind: 'new', account, why: `account ${account}'s latest run ${latest.id} was abandoned` };
  const chain = accountChain(db, latest.id);
  const row = latestAccountState(db, chain.map((r) => r.id));
  const saved = row === undefined ? undefined : { runId: row.runId, ts: row.ts, text: row.state, account: decodeAccount(row.state, config, { account, runId: row.runId }, target.execution) };
  // Every part is checked now, on a scratch account, so a state that cannot be restored fails before any strategy starts.
  if (saved !== undefined) {
    const scratch = buildResumableAccount(config, saved.account.initialCash, target.scratchExecution(chain[chain.length - 1]!.id), () => ({}));
    restoreAccount(scratch, scratch.loop, saved.account);
  }
  return { kind: 'resume', account, from: latest, chain, saved };
}

/**
 * Builds the run's account as planned (fresh, or restored from the saved state) and records the
 * start of the run in the account, in one transaction: runs.account and resumed_from, the
 * abandoned run, the positions carried over and the saved state this run starts from.
 */
export function buildForwardAccount(
  db: StateDb, runId: string, config: Config, plan: AccountPlan, execution: ExecutionAdapter,
  opts: { execution?: string; initialCash?: number; rules?: (symbol: string) => ExchangeRules } = {},
): ResumableAccount {
  const saved = plan.kind === 'resume' ? plan.saved : undefined;
  const identity = accountIdentity(config, opts.execution);
  const a = buildResumableAccount(config, saved?.account.initialCash ?? opts.initialCash ?? config.forward.initial_cash, execution, (acct: Account, loop: LoopState) => ({
    snapshot: () => (loop.lastTs === undefined ? undefined : { ts: loop.lastTs, state: encodeAccount(acct, loop, identity) }),
    recordCandles: true,
  }), opts.rules);
  if (saved !== undefined) restoreAccount(a, a.loop, saved.account);
  startAccountRun(db, {
    runId,
    account: plan.account,
    resumedFrom: plan.kind === 'resume' ? plan.from.id : null,
    ...(plan.kind === 'new' && plan.abandon !== undefined ? { abandon: plan.abandon.id } : {}),
    positions: a.portfolio.openPositions(),
    ...(saved !== undefined ? { state: { ts: saved.ts, state: saved.text } } : {}),
  });
  return a;
}

/** What an account holds, for the log line of every start (and its tests). */
export interface CarriedOver {
  readonly cash: number;
  readonly equity: number;
  readonly positions: ReadonlyArray<{ strategyId: string; symbol: string; qty: number; avgPrice: number }>;
  readonly pendingOrders: readonly string[];
  readonly protectiveOrders: ReadonlyArray<{ strategyId: string; symbol: string; stop?: number; takeProfit?: number }>;
  /** Cooldowns: the (strategy, symbol) pairs still cooling down after a loss. */
  readonly breakers: { readonly halted: boolean; readonly dailyLossTripped: boolean; readonly cooldowns: number };
}

/** Positions with their protective levels, as an adapter tracks them (NaN = no level). */
export type ProtectedPositions = Iterable<{ readonly strategyId: string; readonly symbol: string; readonly qty: number; readonly stop: number; readonly takeProfit: number }>;

/** The fill simulator's positions with their protective levels. */
export function simulatedProtection(execution: SimulatedExecution): ProtectedPositions {
  return execution.snapshot().symbols.flatMap((s) => s.positions);
}

export function carriedOver(account: ResumableAccount, protectedPositions: ProtectedPositions): CarriedOver {
  const protectiveOrders: Array<{ strategyId: string; symbol: string; stop?: number; takeProfit?: number }> = [];
  for (const p of protectedPositions) {
    if (p.qty === 0 || (Number.isNaN(p.stop) && Number.isNaN(p.takeProfit))) continue;
    protectiveOrders.push({ strategyId: p.strategyId, symbol: p.symbol, ...(Number.isNaN(p.stop) ? {} : { stop: p.stop }), ...(Number.isNaN(p.takeProfit) ? {} : { takeProfit: p.takeProfit }) });
  }
  const b = account.gate.snapshot().breakers;
  return {
    cash: account.portfolio.cash,
    equity: account.portfolio.equity(),
    positions: account.portfolio.openPositions(),
    pendingOrders: account.execution.pendingOrders().map((o) => o.id),
    protectiveOrders,
    breakers: { halted: b.halted, dailyLossTripped: b.dailyTripped, cooldowns: b.cooldowns.filter((c) => c.until > b.stepIndex).length },
  };
}

/** What the strategies were fed before the run trades. */
export interface Fed {
  readonly replayed: number;
  readonly downtime: number;
  readonly warmup: number;
}

/**
 * Brings the fresh strategy hosts to where the account is: a new account's are warmed up on the
 * last closed candles; a resumed account's are replayed on its recorded candles, then fed the
 * candles that closed while the daemon was down. What they are fed from the exchange is recorded
 * (untraded). Returns where the live feed continues.
 */
export async function feedStrategies(p: {
  db: StateDb; runId: string; hosts: HostGroup; config: Config; symbols: readonly string[]; plan: AccountPlan; log: Logger; client: BybitClient; signal?: AbortSignal;
}): Promise<{ lastClosedTs: Record<string, number>; fed: Fed }> {
  if (p.plan.kind === 'resume') {
    const replay = await replayAccount(p.db, p.hosts, p.config, p.symbols, p.plan.chain);
    const caught = await catchUpFromExchange(p.hosts, p.config, p.symbols, p.log, p.client, replay.last, replay.perSymbol, p.signal);
    recordFed(p.db, p.runId, caught.batch);
    return { lastClosedTs: caught.lastClosedTs, fed: { replayed: replay.candles, downtime: caught.batch.length, warmup: 0 } };
  }
  const warm = await warmUpFromExchange(p.hosts, p.config, p.symbols, p.log, p.client, p.signal);
  recordFed(p.db, p.runId, warm.batch);
  return { lastClosedTs: warm.lastClosedTs, fed: { replayed: 0, downtime: 0, warmup: warm.batch.length } };
}

/** Candles per batch when replaying the account's history to strategies that do not use fills. */
const REPLAY_BATCH = 4096;

/**
 * Replays every candle the account's strategies were fed (the whole chain, in time order) to the
 * fresh strategy hosts; their Signals are discarded. A strategy that reacts to fills gets the
 * account's committed fills again, each after the candles of the step it was booked in, as it did
 * live. Returns the candles replayed and the last one per symbol.
 */
export async function replayAccount(db: StateDb, hosts: HostGroup, config: Config, symbols: readonly string[], chain: readonly AccountRun[]): Promise<{ perSymbol: Record<string, number>; last: Map<string, number>; candles: number }> {
  const ids = chain.map((r) => r.id);
  const recorded = chainCandles(db, ids);
  const series = new Map<string, CandleColumns>(symbols.map((s) => [s, recorded.get(s) ?? emptyColumns()] as const));
  const last = new Map<string, number>();
  for (const [s, c] of series) if (c.length > 0) last.set(s, c.ts[c.length - 1]!);
  const source = new ReplaySource(series, hosts.usesFills ? 1 : REPLAY_BATCH);
  const fills = hosts.usesFills ? chainFills(db, ids, config.execution.fill_model === 'close') : [];
  let f = 0;
  for await (const b of source.batches()) {
    await hosts.processBatch(copyOf(b));
    if (fills.length === 0) continue;
    const ts = b.ts[b.length - 1]!;
    const mine: Fill[] = [];
    while (f < fills.length && fills[f]!.stepTs <= ts) mine.push(fills[f++]!.fill);
    if (mine.length > 0) await hosts.notifyFills(mine);
  }
  return { perSymbol: Object.fromEntries(symbols.map((s) => [s, series.get(s)!.length] as const)), last, candles: source.length };
}

/** A batch that owns its arrays (a view would send its whole buffer to a strategy process). */
function copyOf(b: CandleBatch): CandleBatch {
  return { symbols: b.symbols, length: b.length, ts: b.ts.slice(), sym: b.sym.slice(), open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice(), volume: b.volume.slice() };
}

/** Records candles fed outside traded steps (the warm-up of a new account, the downtime of a resumed one). */
export function recordFed(db: StateDb, runId: string, batch: CandleBatch): void {
  if (batch.length === 0) return;
  const rows: Array<{ symbol: string; candle: Candle }> = [];
  for (const s of stepsFromBatch(batch)) rows.push(...s.candles);
  recordUntradedCandles(db, runId, rows);
}

/** The log line of every start: what the account carries over and what the strategies were fed. */
export function logStart(log: Logger, plan: AccountPlan, c: CarriedOver, fed: Fed): void {
  const fields = { account: plan.account, ...c, candlesReplayed: fed.replayed, downtimeCandles: fed.downtime, warmupCandles: fed.warmup };
  const pos = c.positions.length === 0 ? 'no open position' : c.positions.map((p) => `${p.strategyId} ${p.symbol} ${p.qty} @ ${p.avgPrice}`).join(', ');
  const br = [c.breakers.halted ? 'drawdown halt tripped' : '', c.breakers.dailyLossTripped ? 'daily loss limit tripped' : '', c.breakers.cooldowns > 0 ? `cooling down after a loss: ${c.breakers.cooldowns}` : ''].filter((x) => x !== '').join(', ') || 'none tripped';
  const held = `cash ${c.cash.toFixed(2)}, equity ${c.equity.toFixed(2)}, ${pos}, pending orders: ${c.pendingOrders.length}, positions with a protective stop/take-profit: ${c.protectiveOrders.length}, breakers: ${br}`;
  if (plan.kind === 'new') {
    if (plan.abandon !== undefined) {
      log.warn({ account: plan.account, abandonedRun: plan.abandon.id, abandonedStatus: plan.abandon.status }, `--new-account: account ${plan.account}'s latest run ${plan.abandon.id} (${plan.abandon.status}) is marked abandoned; nothing of it is carried over`);
    }
    log.info({ ...fields, resumedFrom: null }, `new account ${plan.account} (${plan.why}): ${held}; strategies warmed up on ${fed.warmup} closed candles`);
    return;
  }
  const at = plan.saved === undefined ? 'no step of it was committed: nothing to restore' : `restored as of its last committed step ${isoUtc(plan.saved.ts)} (saved by ${plan.saved.runId})`;
  log.info(
    { ...fields, resumedFrom: plan.from.id, resumedStatus: plan.from.status, savedBy: plan.saved?.runId ?? null, savedTs: plan.saved?.ts ?? null },
    `resumed account ${plan.account} from run ${plan.from.id} (${plan.from.status}), ${at}: ${held}; strategies replayed ${fed.replayed} recorded candles and ${fed.downtime} that closed while the daemon was down (not traded)`,
  );
}
