import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RawConfig } from '../config/load.ts';
import { resolvedIniText } from '../config/resolved.ts';
import type { Config } from '../config/schema.ts';
import { CtError, isCtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { RunMode } from '../domain/run-mode.ts';
import { runCandleLoop, type LoopResult, type StepStatus } from '../engine/candle-loop.ts';
import type { CandleSourcePort } from '../engine/ports.ts';
import type { ExecutionAdapter } from '../execution/execution-adapter.ts';
import type { Logger } from '../observability/logger.ts';
import { currentGitCommit } from '../persistence/git-commit.ts';
import { AccountingWriter, type BusyPolicy } from '../persistence/accounting-writer.ts';
import { lockedOr } from '../persistence/db-busy.ts';
import { finishRun, insertRun } from '../persistence/runs.ts';
import { openStateDb, type StateDb } from '../persistence/state-db.ts';
import { buildAccount, type Account, type ResumableAccount } from './account.ts';
import { describeStop, holdProcessStop, stopCauseOf } from './process-stop.ts';
import { markCrashedRuns } from './run-liveness.ts';
import { DAEMON_MODES, takeDaemonLock, type DaemonLock } from './state-lock.ts';
import type { HostGroup } from '../workers/host-group.ts';
import { StrategyEventWriter } from '../persistence/strategy-events.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { hostOptionsOf } from './component-options.ts';
import { startStrategyHosts } from './hosts.ts';
import type { StrategyReload } from './strategy-reload.ts';
import { newRunId } from './run-id.ts';
import { clearStatusLine } from './status-line.ts';
import { strategySpecs } from './strategy-specs.ts';

/** How a session that did not fail ended: its source ran out or its step limit was reached, or a stop was requested. */
export type SessionStatus = 'completed' | 'interrupted';

/** What the session hands the mode's hooks. */
export interface SessionContext {
  readonly runId: string;
  readonly config: Config;
  readonly log: Logger;
  readonly db: StateDb;
  /** Aborted when a stop is requested (Ctrl-C, SIGTERM, the step limit) or the session is over. */
  readonly stop: AbortSignal;
}

/** Everything a mode's end-of-run policy may look at. */
export interface SessionEnd<P> {
  readonly ctx: SessionContext;
  readonly status: SessionStatus;
  /** Undefined only when the run was interrupted while starting. */
  readonly prepared: P | undefined;
  /** Undefined when the run was interrupted before its loop started (nothing was traded). */
  readonly loop: LoopResult | undefined;
  readonly account: Account | undefined;
  readonly hosts: HostGroup | undefined;
  /** Wall time of the phases in ms: preparing (reading the store), starting strategy hosts (when
   *  they start beside `prepare`: only the wait for them after it), the loop. */
  readonly timings: { readonly prepareMs: number; readonly hostStartMs: number; readonly loopMs: number };
}

/**
 * What makes one mode what it is. A mode is one small module that fills this in and calls
 * `runSession`; everything else (state DB, run row, hosts, account, loop, signals, ending the run
 * on every exit path) is the session's, the same for every mode.
 */
export interface ModeWiring<P extends { readonly symbols: readonly string[] }, O> {
  readonly mode: RunMode;
  /** Start of the run id: `<prefix>-<UTC time>-<hex>`. */
  readonly runIdPrefix: string;
  readonly initialCash: number;
  /** `batch`: large transactions (a backtest is re-run, not resumed); `durable`: commit every step and every fill. */
  readonly accounting: 'batch' | 'durable';
  /** Supervised hosts restart a failed strategy and record `strategy_events`; plain hosts fail the run with its error. */
  readonly supervised: boolean;
  /** Close every position at the last candle when the run ends (backtests: so every trade is counted). */
  readonly closeAtEnd: boolean;
  /** The run ends `completed` after this many steps (0 = when the source ends, or on a stop). */
  readonly maxSteps: number;
  /**
   * The symbols the run trades when they are known before `prepare` (from the config): the
   * strategy hosts then start while `prepare` runs, so a strategy process boots on another core
   * while the store is read. `prepare` must return exactly these symbols, in this order.
   */
  readonly symbols?: readonly string[];
  /** What the run needs (stored candles, funding) and the symbols it trades; before the strategies start unless `symbols` is given. */
  prepare(ctx: SessionContext): Promise<P>;
  /** The execution adapter the account is built with. */
  execution(p: P, ctx: SessionContext): ExecutionAdapter;
  /**
   * A mode whose account outlives its process (forward) builds the account itself: fresh, or
   * restored from the account's last committed step. The loop then continues that account's loop
   * state, and the durable accounting commits its snapshot and candles with every step.
   */
  account?(p: P, ctx: SessionContext): ResumableAccount;
  /** The candle source, once the strategies are up (a replay batches by whether they use fills; a live feed warms them up first). */
  source(p: P, hosts: HostGroup, ctx: SessionContext): Promise<CandleSourcePort>;
  /** After every step: status line, pacing. A mode that draws a status line has its line cleared at the end. */
  onStep?(s: StepStatus, account: Account): void | Promise<void>;
  /** End-of-run policy of a completed or interrupted run (results files, summary), before the run row is closed. */
  end(e: SessionEnd<P>): Promise<O>;
}

export interface SessionInputs {
  readonly config: Config;
  readonly raw: RawConfig;
  /** The mode's logger (a child with its component). */
  readonly logger: Logger;
  readonly runId?: string;
  /** An outside stop besides SIGINT/SIGTERM (tests, embedding); it ends the run `interrupted`. */
  readonly signal?: AbortSignal;
}

/**
 * THE session lifecycle of every mode: take the state dir's daemon lock (daemon modes only: one
 * daemon per state dir), open the state DB, mark the runs whose process died `crashed`, insert
 * the run with this process's pid, prepare, start the strategy hosts, build the account with the
 * mode's execution adapter, run the candle loop, then end the run on every exit path:
 *  - completed: the source ended or the mode's step limit was reached;
 *  - interrupted: SIGINT/SIGTERM, the launcher gone (`process-stop.ts`) or `signal`, in any mode,
 *    also when it came while the CLI was starting: the loop stops between batches, the
 *    strategies finish, and the mode's end-of-run policy still runs (a backtest writes its
 *    results for what ran);
 *  - failed: the run row is marked failed with the error's one line, and the error is rethrown.
 * Hosts are stopped and the DB closed whatever happened.
 */
export async function runSession<P extends { readonly symbols: readonly string[] }, O>(inp: SessionInputs, w: ModeWiring<P, O>): Promise<O> {
  const { config } = inp;
  const log = inp.logger;
  const runId = inp.runId ?? newRunId(w.runIdPrefix);
  const lifetime = new AbortController();
  let stopReason: 'signal' | 'limit' | undefined;
  const stops = holdProcessStop();
  const requestStop = (reason: 'signal' | 'limit'): void => {
    if (stopReason === undefined) {
      stopReason = reason;
      if (reason === 'signal') log.info({ runId }, `${w.mode} ${runId}: stop requested (${describeStop(stopCauseOf(stops.signal))}); ending after the current batch`);
    }
    lifetime.abort();
  };
  const onSignal = (): void => requestStop('signal');
  // A signal that came while the CLI was starting up is already here: the run starts stopped.
  if (stops.signal.aborted) onSignal();
  stops.signal.addEventListener('abort', onSignal);
  if (inp.signal?.aborted) onSignal();
  inp.signal?.addEventListener('abort', onSignal);
  try {
    // A daemon takes the state dir's lock before anything else: a second one changes nothing.
    const lock = DAEMON_MODES.has(w.mode) ? takeDaemonLock(config.general.state_dir, { mode: w.mode, runId }, log) : undefined;
    try {
      const db = openStateDb(config.general.state_dir, { busyTimeoutMs: config.general.db_busy_timeout_ms });
      try {
        startRun(db, inp, w.mode, runId, lock);
        const ctx: SessionContext = { runId, config, log, db, stop: lifetime.signal };
        return await lifecycle(ctx, w, () => stopReason, requestStop, () => lifetime.abort());
      } catch (e) {
        throw lockedOr(db, e);
      } finally {
        db.close();
      }
    } finally {
      lock?.release();
    }
  } finally {
    stops.signal.removeEventListener('abort', onSignal);
    stops.release();
    inp.signal?.removeEventListener('abort', onSignal);
  }
}

/** Marks the runs whose process died `crashed`, then records this one as `running` with its pid. */
function startRun(db: StateDb, inp: SessionInputs, mode: RunMode, runId: string, lock: DaemonLock | undefined): void {
  markCrashedRuns(db, { stateDir: inp.config.general.state_dir, lock, runId, log: inp.logger });
  insertRun(db, {
    id: runId, mode, startedAt: new Date().toISOString(), configSnapshot: resolvedIniText(inp.raw, inp.config.strategies.enabled), gitCommit: currentGitCommit(), pid: process.pid,
  });
}

/** A durable run's commits wait for a locked database with one warning per retry (the writer keeps the rows). */
function busyPolicy(ctx: SessionContext, mode: RunMode): BusyPolicy {
  return {
    timeoutMs: ctx.config.general.db_busy_timeout_ms,
    onWait: (e) => {
      const waited = `${(e.waitedMs / 1000).toFixed(1)} s of ${(e.timeoutMs / 1000).toFixed(1)} s`;
      if (e.committed) ctx.log.info({ runId: ctx.runId, path: e.path, waitedMs: e.waitedMs, rows: e.rows }, `${mode} ${ctx.runId}: committed ${e.rows} rows after waiting ${waited} for ${e.path}`);
      else ctx.log.warn({ runId: ctx.runId, path: e.path, attempt: e.attempt, waitedMs: e.waitedMs, rows: e.rows, code: 'CT_ERR_DB_LOCKED' }, `${mode} ${ctx.runId}: ${e.path} is locked by another connection; ${e.rows} rows kept in memory, commit retry ${e.attempt} (waited ${waited})`);
    },
  };
}

async function lifecycle<P extends { readonly symbols: readonly string[] }, O>(
  ctx: SessionContext,
  w: ModeWiring<P, O>,
  stopReason: () => 'signal' | 'limit' | undefined,
  requestStop: (reason: 'limit') => void,
  endLifetime: () => void,
): Promise<O> {
  const { config, db, runId, log } = ctx;
  let prepared: P | undefined;
  let hosts: HostGroup | undefined;
  let account: Account | undefined;
  let loop: LoopResult | undefined;
  let loopStarted = false;
  let reload: StrategyReload | undefined;
  let specs: StrategySpec[] = [];
  const events = w.supervised ? new StrategyEventWriter(db, runId) : undefined;
  const timings = { prepareMs: 0, hostStartMs: 0, loopMs: 0 };
  try {
    try {
      const startHosts = (symbols: readonly string[]): Promise<HostGroup> => {
        specs = strategySpecs(config, symbols);
        return startStrategyHosts(specs, config, log, events !== undefined ? { supervised: true, db, runId, events } : { supervised: false });
      };
      const t0 = performance.now();
      if (w.symbols !== undefined) {
        // Hosts and prepare side by side. Whatever fails, started hosts are kept so `finally`
        // stops them; prepare's error wins (it is what the run reported when hosts started after it).
        const early = startHosts(w.symbols).then((h) => (hosts = h));
        const prep = w.prepare(ctx);
        const [p, h] = await Promise.allSettled([prep.then((x) => ((timings.prepareMs = performance.now() - t0), x)), early]);
        if (p.status === 'rejected') throw p.reason;
        prepared = p.value;
        if (h.status === 'rejected') throw h.reason;
        timings.hostStartMs = Math.max(0, performance.now() - t0 - timings.prepareMs);
        if (!sameSymbols(prepared.symbols, w.symbols)) {
          throw new CtError('CT_ERR_INTERNAL', `${w.mode}: prepare returned symbols ${prepared.symbols.join(',')} but the hosts were started for ${w.symbols.join(',')}`);
        }
      } else {
        prepared = await w.prepare(ctx);
        timings.prepareMs = performance.now() - t0;
        if (stopReason() === undefined) {
          const t1 = performance.now();
          hosts = await startHosts(prepared.symbols);
          timings.hostStartMs = performance.now() - t1;
        }
      }
      if (hosts !== undefined && stopReason() === undefined) {
        reload = await startReload(ctx, w, hosts, specs, events);
        const own = w.account?.(prepared, ctx);
        account = own ?? buildAccount(config, w.initialCash, w.execution(prepared, ctx));
        const source = await w.source(prepared, hosts, ctx);
        const sink = new AccountingWriter(db, runId, w.accounting, undefined, { ...own?.accounting, busy: busyPolicy(ctx, w.mode) });
        const acct = account;
        const onStep = w.onStep;
        const t2 = performance.now();
        loopStarted = true;
        loop = await runCandleLoop({
          source: yieldingSource(source),
          hosts,
          execution: acct.execution,
          gate: acct.gate,
          portfolio: acct.portfolio,
          sink,
          atrPeriod: config.execution.atr_period,
          closeAtEnd: w.closeAtEnd,
          ...(own !== undefined ? { state: own.loop } : {}),
          // No per-step callback at all when the mode needs none: a backtest's loop stays tight.
          ...(onStep !== undefined || w.maxSteps > 0 || w.accounting === 'durable'
            ? {
                onStep: (s: StepStatus) => {
                  if (w.maxSteps > 0 && s.steps >= w.maxSteps) requestStop('limit');
                  // A commit waiting for a locked database goes through before the next step.
                  if (sink.commitOwed) return sink.settle().then(() => onStep?.(s, acct));
                  return onStep?.(s, acct);
                },
              }
            : {}),
          shouldStop: () => stopReason() !== undefined,
        });
        await sink.settle();
        timings.loopMs = performance.now() - t2;
        // Plain hosts have nothing left to do (the loop ran their finish): a strategy process
        // exits while the results are written instead of after (`finally` waits for it).
        if (!w.supervised) void hosts.stop().catch(() => undefined);
      }
    } catch (e) {
      // A stop while starting (e.g. the forward warm-up fetch aborted by Ctrl-C): nothing was
      // traded, so the run is interrupted, not failed. Once the loop runs, an error is a failure.
      if (!(stopReason() === 'signal' && !loopStarted)) throw e;
      log.info({ runId, err: (e as Error).message }, `${w.mode} ${runId}: interrupted while starting`);
    }
    if (w.onStep !== undefined) clearStatusLine();
    const status: SessionStatus = stopReason() === 'signal' ? 'interrupted' : 'completed';
    const outcome = await w.end({ ctx, status, prepared, loop, account, hosts, timings });
    finishRun(db, runId, status, new Date().toISOString());
    return outcome;
  } catch (e) {
    if (w.onStep !== undefined) clearStatusLine();
    const locked = lockedOr(db, e);
    const err = isCtError(locked) ? locked : new CtError('CT_ERR_RUN_FAILED', `${w.mode} ${runId} failed: ${(e as Error).message}`, { cause: e });
    try {
      // After a lock that outlasted the busy timeout, one more full wait would only delay the exit.
      if (err.code === 'CT_ERR_DB_LOCKED') db.pragma('busy_timeout = 1000');
      finishRun(db, runId, 'failed', new Date().toISOString(), err.toLine());
    } catch (e2) {
      // Still locked (or worse): the row stays `running`, and the next start marks it crashed.
      log.error({ runId, err: (e2 as Error).message }, `${w.mode} ${runId}: could not record the failure in the state database`);
    }
    throw err;
  } finally {
    // Ends what listens for the session's end (a live feed), then the strategy processes.
    endLifetime();
    reload?.stop();
    await hosts?.stop().catch(() => undefined);
    await reload?.settled();
  }
}

/**
 * Hot reload (docs/hot-reload.md) for the supervised daemon modes other than live, when
 * strategies.hot_reload is on: the watcher of the enabled strategies' files. Loaded lazily: a
 * backtest never loads it.
 */
async function startReload<P extends { readonly symbols: readonly string[] }, O>(
  ctx: SessionContext,
  w: ModeWiring<P, O>,
  hosts: HostGroup,
  specs: readonly StrategySpec[],
  events: StrategyEventWriter | undefined,
): Promise<StrategyReload | undefined> {
  const { config, log } = ctx;
  if (!w.supervised || w.mode === 'live' || w.mode === 'backtest' || !config.strategies.hot_reload) return undefined;
  const { startStrategyReload } = await import('./strategy-reload.ts');
  const hostOptions = hostOptionsOf(config, log.child({ component: 'strategy-hosts' }));
  return startStrategyReload({ group: hosts, specs, config, hostOptions, log, ...(events !== undefined ? { events } : {}) });
}

function sameSymbols(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Longest stretch of a CPU-bound replay without a turn of the event loop. Under `npx tsx` (tsx's
 * CLI) a signal must also be seen within tsx's relay window: it SIGKILLs a child that has not
 * taken a SIGINT/SIGTERM within 2 x 30 ms, which would leave the run to be marked crashed.
 */
const YIELD_EVERY_MS = 20;

/**
 * The source, with a turn of the event loop between batches at least every YIELD_EVERY_MS. A
 * replay with inline strategies never waits on I/O, so without this a SIGINT or SIGTERM handler
 * would not run before the backtest ended; a turn costs microseconds, a few times a second.
 */
function yieldingSource(source: CandleSourcePort): CandleSourcePort {
  return {
    symbols: source.symbols,
    ...(source.stepCount !== undefined ? { stepCount: source.stepCount } : {}),
    async *batches(): AsyncIterable<CandleBatch> {
      let last = performance.now();
      for await (const b of source.batches()) {
        if (performance.now() - last >= YIELD_EVERY_MS) {
          await nextTurn();
          last = performance.now();
        }
        yield b;
      }
    },
  };
}
