/**
 * Many independent backtests from one command (strategies x symbols, or parameter sets) on a
 * piscina pool of worker threads. Each job is plain data handed to a job function in a worker
 * thread; results come back in JOB ORDER whatever order they finished in, each as a value or a
 * CtError, so one failing parameter set does not lose the others.
 *
 * The job function is named by module path + export name (default: `runBacktestJob` from
 * src/app/backtest-job.ts), so the pool has no compile-time dependency on the
 * engine and tests can point it at a small job module. Inside a job, strategies should run INLINE:
 * the pool already gives one thread per job, a process per strategy on top would only add cost.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { codeUrl } from '../core/code-location.ts';
import { CtError } from '../core/errors.ts';
import type { JobReply, JobTask } from './parallel-job-worker.ts';
import { workerStart } from './worker-entry.ts';

const JOB_WORKER = codeUrl('./parallel-job-worker.ts', import.meta.url);

/** The backtest job of `sweep`: one backtest per job, strategies inline. */
export const DEFAULT_JOB_MODULE = codeUrl('../app/backtest-job.ts', import.meta.url).href;
export const DEFAULT_JOB_EXPORT = 'runBacktestJob';

export interface ParallelOptions {
  /** Worker threads (default: available cores). Capped by the number of jobs. */
  readonly threads?: number;
  /** Module with the job function: absolute path or file URL. Default DEFAULT_JOB_MODULE. */
  readonly jobModule?: string;
  /** Export name of the job function `(job) => result | Promise<result>`. Default DEFAULT_JOB_EXPORT. */
  readonly exportName?: string;
  /** Called as each job ends (in completion order) with its outcome, e.g. for a progress bar. */
  readonly onJobDone?: (index: number, done: number, total: number, outcome: JobOutcome<unknown>) => void;
  /**
   * Stops the pool (Ctrl-C of `sweep`): jobs not started yet are not started (`notStarted`),
   * running ones are handed the stop through their `{ signal }` and end their runs themselves
   * (`interrupted`, results for what ran), so no run row is left `running`. A worker thread is
   * never terminated under a running job: that would leave its run row `running`.
   */
  readonly signal?: AbortSignal;
}

export type JobOutcome<R> =
  | { readonly index: number; readonly ok: true; readonly value: R; readonly ms: number }
  | { readonly index: number; readonly ok: false; readonly error: CtError; readonly ms: number; readonly notStarted?: boolean };

/**
 * Runs `jobs` (structured-cloneable data) in parallel; resolves with one outcome per job, in job
 * order. Job results must be structured-cloneable too (plain data, typed arrays).
 */
export async function runParallel<J, R>(jobs: readonly J[], opts: ParallelOptions = {}): Promise<JobOutcome<R>[]> {
  if (jobs.length === 0) return [];
  const threads = Math.max(1, Math.min(jobs.length, opts.threads ?? availableParallelism()));
  const module = opts.jobModule ?? DEFAULT_JOB_MODULE;
  const exportName = opts.exportName ?? DEFAULT_JOB_EXPORT;
  const start = workerStart(JOB_WORKER);
  const pool = new Piscina({
    filename: start.filename.href,
    workerData: start.workerData,
    minThreads: threads,
    maxThreads: threads,
    // Jobs are long and async (file reads); piscina's Atomics.wait idle loop would only save
    // microseconds per task and can stall a job's pending I/O, so it is off.
    atomics: 'disabled',
  });
  let done = 0;
  // Shared by every thread: one store of 1 reaches all jobs, running or queued.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onStop = (): void => void Atomics.store(stop, 0, 1);
  if (opts.signal?.aborted) onStop();
  opts.signal?.addEventListener('abort', onStop);
  try {
    return await Promise.all(
      jobs.map(async (job, index): Promise<JobOutcome<R>> => {
        const task: JobTask = { module, exportName, index, job, stop };
        let reply: JobReply;
        try {
          reply = (await pool.run(task)) as JobReply;
        } catch (e) {
          // The worker thread itself died (out of memory, process.exit in a job): that job fails.
          reply = { ok: false, error: { code: 'CT_ERR_RUN_FAILED', message: `parallel job #${index}: worker thread failed: ${(e as Error)?.message ?? String(e)}` }, ms: 0 };
        }
        done++;
        const outcome: JobOutcome<R> = reply.ok
          ? { index, ok: true, value: reply.value as R, ms: reply.ms }
          : {
              index, ok: false, error: new CtError(reply.error.code, reply.error.message, { details: { ...(reply.error.details ?? {}), job: index } }), ms: reply.ms,
              ...(reply.notStarted === true ? { notStarted: true } : {}),
            };
        opts.onJobDone?.(index, done, jobs.length, outcome);
        return outcome;
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    await pool.destroy();
  }
}
