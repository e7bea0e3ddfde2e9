import { spawn, type ChildProcess } from 'node:child_process';
import { scrub } from '../observability/scrub.ts';
import type { RunStore } from './run-store.ts';

/**
 * Backtests started from the dashboard, each a CHILD PROCESS of the CLI (the same entry point the
 * dashboard itself runs from: `node dist/main.js`, or the sources under tsx), with the dashboard's
 * config file and overrides plus the form's. A backtest that crashes, runs out of memory or is
 * killed ends its own process, never the dashboard.
 *
 * Progress is read from what the child really records: its run row in the state database (found
 * by the child's pid) with the candle time of its last committed step against the period, then
 * its exit code and, on success, its --json summary line.
 */

export type JobState = 'starting' | 'running' | 'completed' | 'interrupted' | 'failed';

export interface JobView {
  readonly id: string;
  readonly state: JobState;
  readonly runId: string | null;
  readonly startedAt: string;
  readonly elapsedMs: number;
  /** Share of the period done, 0..1, from the run's last committed candle; null before its first. */
  readonly progress: number | null;
  readonly lastStepTs: number | null;
  readonly exitCode: number | null;
  /** The child's one-line error (scrubbed), when it failed. */
  readonly error: string | null;
  readonly sets: readonly string[];
}

interface Job {
  id: string;
  child: ChildProcess;
  started: number;
  state: JobState;
  runId: string | null;
  exitCode: number | null;
  error: string | null;
  stdout: string;
  stderr: string;
  ended: number | null;
  fromTs: number;
  toTs: number;
  lastStepTs: number | null;
  readonly sets: readonly string[];
  readonly exited: Promise<void>;
}

/** How the CLI is started: the node binary and its arguments up to (and including) the entry file. */
export interface CliEntry {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Output kept per child (the summary is one line at the end; errors are one line). */
const MAX_OUTPUT = 256 * 1024;

export class BacktestLauncher {
  private readonly jobs: Job[] = [];
  private next = 1;

  constructor(
    private readonly entry: CliEntry,
    /** The dashboard's own config file and overrides, given to every backtest before the form's. */
    private readonly baseArgs: readonly string[],
    private readonly store: RunStore,
  ) {}

  /** Backtests started and not yet ended. */
  running(): number {
    return this.jobs.filter((j) => j.ended === null).length;
  }

  start(sets: readonly string[], period: { fromTs: number; toTs: number }): JobView {
    const args = [...this.entry.args, ...this.baseArgs, '--mode', 'backtest', '--json', ...sets.flatMap((s) => ['--set', s])];
    const child = spawn(this.entry.command, args, { cwd: this.entry.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let resolveExit!: () => void;
    const job: Job = {
      id: `job-${this.next++}`, child, started: Date.now(), state: 'starting', runId: null, exitCode: null, error: null,
      stdout: '', stderr: '', ended: null, fromTs: period.fromTs, toTs: period.toTs, lastStepTs: null, sets: [...sets],
      exited: new Promise<void>((r) => (resolveExit = r)),
    };
    const keep = (prev: string, d: Buffer): string => (prev + d.toString()).slice(-MAX_OUTPUT);
    child.stdout!.on('data', (d: Buffer) => (job.stdout = keep(job.stdout, d)));
    child.stderr!.on('data', (d: Buffer) => (job.stderr = keep(job.stderr, d)));
    child.on('error', (e) => {
      job.error = scrub(`could not start the backtest process: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      this.refresh(job);
      job.ended = Date.now();
      job.exitCode = code;
      const summary = lastJsonLine(job.stdout);
      if (typeof summary?.run_id === 'string') job.runId = summary.run_id;
      if (code === 0) job.state = summary?.status === 'interrupted' ? 'interrupted' : 'completed';
      else {
        job.state = 'failed';
        const line = job.stderr.trim().split('\n').filter((l) => l.trim() !== '').at(-1);
        job.error ??= scrub(line ?? `the backtest process ended with ${signal ?? `exit code ${String(code)}`}`);
      }
      resolveExit();
    });
    this.jobs.push(job);
    return view(job);
  }

  /** Every job of this dashboard session, newest first, with its progress read now. */
  list(): JobView[] {
    return this.jobs.map((j) => (this.refresh(j), view(j))).reverse();
  }

  get(id: string): JobView | undefined {
    const j = this.jobs.find((x) => x.id === id);
    if (j === undefined) return undefined;
    this.refresh(j);
    return view(j);
  }

  /** Stops the backtests still running (they end `interrupted`, with their results) and waits for them. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    const live = this.jobs.filter((j) => j.ended === null);
    for (const j of live) j.child.kill('SIGTERM');
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([Promise.all(live.map((j) => j.exited)), timer]);
    for (const j of live) if (j.ended === null) j.child.kill('SIGKILL');
  }

  /** The job's run row: its id, and how far its committed steps got. */
  private refresh(j: Job): void {
    if (j.ended !== null || j.child.pid === undefined) return;
    let row: ReturnType<RunStore['runOfPid']>;
    try {
      row = this.store.runOfPid(j.child.pid, new Date(j.started).toISOString());
    } catch {
      return; // the child is creating the database right now: read it on the next poll
    }
    if (row === undefined) return;
    j.runId = row.id;
    j.state = 'running';
    j.lastStepTs = row.lastStepTs;
  }
}

function view(j: Job): JobView {
  const span = j.toTs - j.fromTs;
  const done = j.state === 'completed' ? 1 : j.lastStepTs === null || span <= 0 ? null : Math.min(1, Math.max(0, (j.lastStepTs - j.fromTs) / span));
  return {
    id: j.id, state: j.state, runId: j.runId, startedAt: new Date(j.started).toISOString(), elapsedMs: (j.ended ?? Date.now()) - j.started,
    progress: done, lastStepTs: j.lastStepTs, exitCode: j.exitCode, error: j.error, sets: j.sets,
  };
}

function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) return undefined;
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
