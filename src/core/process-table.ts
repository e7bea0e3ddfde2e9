import { readFileSync } from 'node:fs';

/**
 * What the operating system says about other processes: whether a pid is alive, when it started,
 * and which processes launched this one. Read from Linux's /proc; where there is no /proc, only
 * `kill(pid, 0)` is available, so a start time is unknown and the launcher chain is empty.
 */

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  /** R, S, D, Z (zombie: exited, not yet reaped), T, ... */
  readonly state: string;
  /** CPU time used so far (user + system), in clock ticks. */
  readonly cpuTicks: number;
  /** Start time in clock ticks after boot: with the pid, it names one process (pids are reused). */
  readonly startTicks: number;
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture we run on). */
const TICKS_PER_SECOND = 100;

export function readProcessStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces and parentheses itself.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0] ?? '?', ppid: Number(f[1]), pgrp: Number(f[2]), cpuTicks: Number(f[11]) + Number(f[12]), startTicks: Number(f[19]) };
}

function hasProc(): boolean {
  return readProcessStat(process.pid) !== undefined;
}

/** The command line of a process, for log lines ('' when unknown). */
export function processCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s.length > 0).join(' ');
  } catch {
    return '';
  }
}

let bootMs: number | undefined;
function bootTimeMs(): number | undefined {
  if (bootMs !== undefined) return bootMs;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (m) bootMs = Number(m[1]) * 1000;
  } catch {
    // no /proc
  }
  return bootMs;
}

/** When a process started (epoch ms, to ~1 s), or undefined when it is gone or /proc is missing. */
export function processStartMs(pid: number): number | undefined {
  const st = readProcessStat(pid);
  const boot = bootTimeMs();
  if (st === undefined || boot === undefined || !Number.isFinite(st.startTicks)) return undefined;
  return boot + (st.startTicks * 1000) / TICKS_PER_SECOND;
}

/** How much later than a run's recorded start its process may seem to have started (btime is whole seconds). */
const START_SLACK_MS = 2_000;

/**
 * Whether `pid` is a live process that can be the one that started something at `startedAtMs`:
 * a pid that exists but belongs to a process started after that moment is a reused pid, and
 * the process we are asking about is gone. A zombie has exited.
 */
export function processAlive(pid: number, startedAtMs?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists, under another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const st = readProcessStat(pid);
  if (st === undefined) return !hasProc();
  if (st.state === 'Z') return false;
  if (startedAtMs !== undefined && Number.isFinite(startedAtMs)) {
    const start = processStartMs(pid);
    if (start !== undefined && start > startedAtMs + START_SLACK_MS) return false;
  }
  return true;
}

/**
 * The processes that launched this one and share its process group, nearest first, up to and
 * including the group's leader: under `npx tsx main.ts` these are tsx's CLI, npm's shell and npm
 * itself; started directly by a shell with job control, systemd or `setsid`, none (this process
 * leads its own group). Empty without /proc.
 */
export function launcherChain(): ProcessStat[] {
  const self = readProcessStat(process.pid);
  if (self === undefined) return [];
  const chain: ProcessStat[] = [];
  let pid = self.ppid;
  while (pid > 1 && chain.length < 32) {
    const st = readProcessStat(pid);
    if (st === undefined || st.pgrp !== self.pgrp) break;
    chain.push(st);
    pid = st.ppid;
  }
  return chain;
}

/** Whether a process read earlier (same pid, same start) is still there and has not exited. */
export function stillRunning(p: ProcessStat): boolean {
  const now = readProcessStat(p.pid);
  return now !== undefined && now.startTicks === p.startTicks && now.state !== 'Z';
}
