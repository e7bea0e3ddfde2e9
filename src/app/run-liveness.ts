import { isoUtc } from '../core/time.ts';
import { processAlive } from '../core/process-table.ts';
import type { Logger } from '../observability/logger.ts';
import { markCrashed, runningRuns, type RunningRun } from '../persistence/runs.ts';
import type { StateDb } from '../persistence/state-db.ts';
import { DAEMON_MODES, probeDaemonLock, type DaemonLock, type LockProbe } from './state-lock.ts';

/**
 * Crash-only runs: a run ends `completed`, `interrupted` or `failed` when its process ends it; a
 * process that dies first (SIGKILL, OOM, power) leaves it `running`. Every start looks, before it
 * inserts its own run, for such rows and marks them `crashed`, with the time of their last
 * committed step (`runs.last_step_ts`) kept for the operator and for resuming.
 *
 * A run is alive when its process is: for a daemon mode the state dir's lock says so (a daemon
 * holds it for as long as it runs), for a backtest (which takes no lock) its recorded pid, with
 * the pid's start time checked against the run's start so that a reused pid does not keep a dead
 * run alive. Rows written before pids were recorded count as dead when no live daemon holds the
 * lock (a daemon of that version could have left them; a backtest of that version cannot be
 * told apart).
 */
export function markCrashedRuns(db: StateDb, at: { readonly stateDir: string; readonly lock: DaemonLock | undefined; readonly runId: string; readonly log: Logger }): void {
  const running = runningRuns(db);
  if (running.length === 0) return;
  // The daemon that starts holds the lock itself: then no other daemon is alive on this state dir.
  const probe: LockProbe = at.lock !== undefined ? { held: false } : probeDaemonLock(at.stateDir);
  const now = new Date().toISOString();
  for (const r of running) {
    const dead = whyDead(r, probe, at.lock !== undefined);
    if (dead === undefined) continue;
    const last = r.lastStepTs !== null ? `its last committed step was ${isoUtc(r.lastStepTs)}` : 'it committed no step';
    const note = `crashed: ${dead}; found at the start of run ${at.runId}`;
    if (markCrashed(db, r.id, now, note)) {
      at.log.warn({ runId: r.id, mode: r.mode, pid: r.pid, startedAt: r.startedAt, lastStepTs: r.lastStepTs, foundBy: at.runId }, `run ${r.id} (${r.mode}, started ${r.startedAt}) was left running: ${dead}; marked crashed, ${last}`);
    }
  }
}

/** Why a `running` row's process is gone, or undefined when it may be alive. */
function whyDead(r: RunningRun, probe: LockProbe, weHoldTheLock: boolean): string | undefined {
  const started = Date.parse(r.startedAt);
  if (r.pid === null) {
    if (!weHoldTheLock && probe.held) return undefined;
    return 'it was recorded without a pid (by an older version) and no other daemon holds the lock';
  }
  if (DAEMON_MODES.has(r.mode as never)) {
    if (weHoldTheLock || !probe.held) return `its daemon (pid ${r.pid}) no longer holds the state dir's lock`;
    // Held, but by another run while this one's process is gone: the holder file names the live run.
    if (probe.holder?.run_id === r.id || processAlive(r.pid, started)) return undefined;
    return `its daemon (pid ${r.pid}) is gone, and the lock is held by ${probe.holder?.run_id ?? 'another run'}`;
  }
  return processAlive(r.pid, started) ? undefined : `its process (pid ${r.pid}) is gone`;
}
