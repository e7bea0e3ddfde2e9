/**
 * Piscina task for runParallel (loaded through ts-worker-bootstrap.mjs in a worker thread): imports
 * the job module once per thread and runs one job, as `fn(job, { signal })` with the pool's stop. Errors are returned as data (never thrown),
 * because an Error crossing a thread boundary loses its CtError code; the main thread rebuilds it.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CtError } from '../core/errors.ts';
import { toWireError, type WireError } from './protocol.ts';

export interface JobTask {
  readonly module: string;
  readonly exportName: string;
  readonly index: number;
  readonly job: unknown;
  /**
   * The pool's stop flag (an Int32Array on a SharedArrayBuffer, shared by every thread): 1 once
   * the main thread was asked to stop. A job that has not started is then not started; a running
   * one gets its AbortSignal aborted and ends its run itself (`interrupted`), as SIGINT would in a
   * process of its own (worker threads do not receive signals).
   */
  readonly stop?: Int32Array;
}

export type JobReply =
  | { readonly ok: true; readonly value: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: WireError; readonly ms: number; readonly notStarted?: boolean };

/** How often a running job looks at the stop flag: well under a second, at no measurable cost. */
const STOP_POLL_MS = 50;

/** Accepts a file URL or an absolute path; returns a file URL for import(). */
function moduleUrl(pathOrUrl: string): string {
  if (pathOrUrl.startsWith('file:')) return pathOrUrl;
  if (!isAbsolute(pathOrUrl)) throw new CtError('CT_ERR_INTERNAL', `job module "${pathOrUrl}" must be an absolute path or a file URL`);
  return pathToFileURL(pathOrUrl).href;
}

const cache = new Map<string, Promise<Record<string, unknown>>>();

export default async function runJob(task: JobTask): Promise<JobReply> {
  const t0 = performance.now();
  const stopFlag = task.stop;
  if (stopFlag !== undefined && Atomics.load(stopFlag, 0) === 1) {
    return { ok: false, notStarted: true, error: { code: 'CT_ERR_RUN_FAILED', message: `parallel job #${task.index}: not started, the pool was stopped` }, ms: 0 };
  }
  const stop = new AbortController();
  const poll = stopFlag === undefined ? undefined : setInterval(() => {
    if (Atomics.load(stopFlag, 0) === 1) stop.abort();
  }, STOP_POLL_MS);
  try {
    let mod = cache.get(task.module);
    if (!mod) cache.set(task.module, (mod = import(moduleUrl(task.module)) as Promise<Record<string, unknown>>));
    const fn = (await mod)[task.exportName];
    if (typeof fn !== 'function') {
      throw new CtError('CT_ERR_INTERNAL', `parallel job module ${task.module} does not export a function "${task.exportName}"`);
    }
    const value: unknown = await (fn as (job: unknown, opts: { signal: AbortSignal }) => unknown)(task.job, { signal: stop.signal });
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (e) {
    return { ok: false, error: toWireError(e, 'CT_ERR_RUN_FAILED', `parallel job #${task.index}`), ms: performance.now() - t0 };
  } finally {
    if (poll !== undefined) clearInterval(poll);
  }
}
