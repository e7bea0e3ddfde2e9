/**
 * How a worker thread or child process starts one of our modules, in both forms of the code base
 * (see src/core/code-location.ts):
 *  - built JavaScript: the module is the entry itself; nothing is transpiled, nothing extra loads;
 *  - TypeScript sources: a worker thread starts from ts-worker-bootstrap.mjs (a Worker cannot start
 *    from a .ts file on Node 20, see WHY there). A strategy child process needs no TypeScript
 *    loader: it runs sandboxed on code the daemon compiled (guest-sandbox.ts, guest-code.ts).
 */

const WORKER_BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

function isTypeScript(entry: URL): boolean {
  return entry.pathname.endsWith('.ts');
}

/** `filename` and `workerData` for `new Worker(...)` or a piscina pool running `entry`. */
export function workerStart(entry: URL): { filename: URL; workerData: { tsEntry?: string } } {
  return isTypeScript(entry) ? { filename: WORKER_BOOTSTRAP, workerData: { tsEntry: entry.href } } : { filename: entry, workerData: {} };
}
