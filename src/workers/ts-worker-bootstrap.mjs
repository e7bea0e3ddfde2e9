/**
 * Worker-thread entry that makes TypeScript importable, then loads the real entry.
 *
 * WHY this file is JavaScript: on Node 20, `--import tsx` in a Worker's execArgv does not apply
 * tsx's loader hooks to that thread, so a Worker cannot start from a .ts file directly. This
 * bootstrap registers tsx in the thread (tsx/esm/api `register()`) and imports `workerData.tsEntry`
 * (a file URL). Used by the worker-thread strategy host and by the piscina pool for parallel
 * backtests when they run from the sources; the built JavaScript starts its threads from the .js
 * entry directly (worker-entry.ts). piscina calls this module's default export, so we re-export
 * the entry's default.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const entry = workerData && typeof workerData.tsEntry === 'string' ? workerData.tsEntry : undefined;
if (entry === undefined) throw new Error('ts-worker-bootstrap.mjs: workerData.tsEntry (file URL of a .ts module) is required');
const mod = await import(entry);
export default mod.default;
