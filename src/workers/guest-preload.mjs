/**
 * Preloaded (`--import`) into every sandboxed strategy process, before its entry. Plain JavaScript:
 * it must run before any TypeScript can be loaded.
 *
 * 1. The watchdog: a worker thread that polls, every CT_GUEST_WATCH_MS,
 *    - the parent pid: when the daemon is gone (even SIGKILLed) the process is re-parented, and the
 *      watchdog SIGKILLs its own process. A thread, because a strategy in `while (true) {}` blocks
 *      the main thread's event loop, where an IPC 'disconnect' handler would wait forever;
 *    - the resident memory: above CT_GUEST_RSS_LIMIT_MB it writes one line naming the limit to
 *      stderr (the host reads it as CT_ERR_STRATEGY_MEMORY) and SIGKILLs the process. The V8 heap
 *      is capped by --max-old-space-size; this also catches memory outside the JS heap (buffers).
 *    The thread is unref'd: it never keeps a finished guest alive.
 * 2. The module hooks that load the daemon-compiled TypeScript (guest-ts-hooks.mjs), when the
 *    guest may load TypeScript (CT_GUEST_TS_HOOKS=1: from the sources, or a custom strategy).
 */
import { register } from 'node:module';
import { Worker } from 'node:worker_threads';

const env = process.env;
const watchMs = Number(env.CT_GUEST_WATCH_MS) > 0 ? Number(env.CT_GUEST_WATCH_MS) : 200;
const rssLimitMb = Number(env.CT_GUEST_RSS_LIMIT_MB) > 0 ? Number(env.CT_GUEST_RSS_LIMIT_MB) : 0;

const WATCHDOG = `
const { writeSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const parent = process.ppid;
const limit = workerData.rssLimitMb * 1024 * 1024;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  if (limit > 0) {
    const rss = process.memoryUsage.rss();
    if (rss > limit) {
      try { writeSync(2, 'CT_GUEST_MEMORY_LIMIT rss_mb=' + Math.round(rss / 1048576) + ' limit_mb=' + workerData.rssLimitMb + '\\n'); } catch {}
      process.kill(process.pid, 'SIGKILL');
    }
  }
}, workerData.watchMs);
`;
new Worker(WATCHDOG, { eval: true, workerData: { watchMs, rssLimitMb } }).unref();

// Not registered for a built-in strategy run from dist/ (guest-sandbox.ts says why).
if (env.CT_GUEST_TS_HOOKS === '1') {
  const hooks = new URL('./guest-ts-hooks.mjs', import.meta.url);
  register(hooks, {
    data: {
      cacheDir: env.CT_GUEST_CODE_DIR ?? '',
      salt: env.CT_GUEST_CODE_SALT ?? '',
      sourceRoot: env.CT_GUEST_SOURCE_ROOT ?? '',
      builtRoot: env.CT_GUEST_BUILT_ROOT ?? '',
      packages: JSON.parse(env.CT_GUEST_PACKAGES || '{}'),
    },
  });
}
