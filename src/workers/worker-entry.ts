/**
 * How a worker thread or child process starts one of our modules, in both forms of the code base
 * (see src/core/code-location.ts):
 *  - built JavaScript: the module is the entry itself; nothing is transpiled, nothing extra loads;
 *  - TypeScript sources: a child process gets tsx with `--import`; a worker thread starts from
 *    ts-worker-bootstrap.mjs (a Worker cannot start from a .ts file on Node 20, see WHY there).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const WORKER_BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

function isTypeScript(entry: URL): boolean {
  return entry.pathname.endsWith('.ts');
}

/** `filename` and `workerData` for `new Worker(...)` or a piscina pool running `entry`. */
export function workerStart(entry: URL): { filename: URL; workerData: { tsEntry?: string } } {
  return isTypeScript(entry) ? { filename: WORKER_BOOTSTRAP, workerData: { tsEntry: entry.href } } : { filename: entry, workerData: {} };
}

/** `execArgv` for `fork(entry)`: tsx's loader for a .ts entry, nothing for built JavaScript. */
export function forkExecArgv(entry: URL): string[] {
  return isTypeScript(entry) ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
}
