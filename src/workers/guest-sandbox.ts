/**
 * How a strategy child process is started so that it can neither outlive the daemon, nor grow
 * without bound, nor read what is not its own (docs/strategies.md "What a strategy can reach"):
 *
 *  - Node's permission model (`--experimental-permission`): the process may read only its
 *    strategy's folder, the code base's source folders (src/, the built-in strategies, dist/ when
 *    built), the packages the runner imports and the daemon-compiled code cache. It may not write
 *    files, spawn processes or load native addons. So `.env`, `State/`, `logs/` and the daemon's
 *    `/proc` entries are out of reach, however the strategy gets hold of `fs` (constructor
 *    escapes, process.binding, dynamic import, createRequire: the checks are in Node's C++ layer).
 *    `--allow-worker` is granted because the watchdog and Node's module-hooks thread are worker
 *    threads; a worker inherits the same permissions, so it opens no hole.
 *  - TypeScript is compiled by the daemon beforehand (guest-code.ts): the sandbox forbids the
 *    child process tsx would need.
 *  - `--max-old-space-size=<strategies.max_memory_mb>` caps the V8 heap; the watchdog thread
 *    (guest-preload.mjs) caps the resident memory and kills the process when the daemon dies.
 *  - The environment is filtered: no API key, secret or token reaches a strategy.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, RUNNING_BUILT } from '../core/code-location.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { prepareGuestCode } from './guest-code.ts';

/** Variables a guest may see. Everything else (API keys, tokens, passwords) stays in the daemon. */
const ENV_ALLOW = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'SYSTEMROOT'];

export function guestEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ENV_ALLOW) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** npm packages the guest's own modules import (the runner, SDK, indicators). */
const GUEST_PACKAGES = ['fastest-levenshtein'];

/**
 * Resident memory a started guest needs besides its JS heap (Node itself, the compiled code, young
 * generation, the watchdog thread): the RSS limit is the heap cap plus this much.
 */
export const RSS_HEADROOM_MB = 96;

const PRELOAD = join(PACKAGE_ROOT, 'src', 'workers', 'guest-preload.mjs');

/** The real path of a package's entry, as the daemon resolves it (undefined when not installed). */
function packageEntry(name: string): string | undefined {
  try {
    return realpathSync(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve(name));
  } catch {
    return undefined;
  }
}

function packageDir(entry: string): string {
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Both the path and, when it differs, the real path (a symlinked node_modules resolves to the target). */
function withRealPath(p: string): string[] {
  try {
    const real = realpathSync(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}

/** The folder of a custom strategy file; undefined for a built-in. */
export function strategyFolder(spec: StrategySpec): string | undefined {
  return spec.source.kind === 'file' ? dirname(resolve(spec.source.path)) : undefined;
}

export interface ProcessGuestLaunch {
  readonly execArgv: string[];
  readonly env: Record<string, string>;
  /** What the process may read (for messages and tests). */
  readonly readable: readonly string[];
}

/** execArgv and env of the sandboxed child process running `spec`. */
export function processGuestLaunch(spec: StrategySpec, maxMemoryMb: number, watchMs = 200): ProcessGuestLaunch {
  const own = strategyFolder(spec);
  const sourceRoots = RUNNING_BUILT ? [join(PACKAGE_ROOT, 'dist')] : [join(PACKAGE_ROOT, 'src'), join(PACKAGE_ROOT, 'strategies', 'builtins')];
  // From dist/ nothing of ours is TypeScript; only user strategies need compiling.
  const code = prepareGuestCode([...(RUNNING_BUILT ? [] : sourceRoots), ...(own ? [own] : [])]);
  // A built-in strategy from dist/ loads only built JavaScript, which Node's own resolver finds
  // inside the readable folders: the module hooks (guest-ts-hooks.mjs) would have nothing to do
  // and cost the process ~180 ms of start-up, every module going through the loader thread
  // (docs/benchmarks.md). Sources or a custom strategy need them.
  const hooks = !RUNNING_BUILT || own !== undefined;
  // The guest's hooks answer these bare imports with the real path, so that Node's resolver never
  // walks (and the sandbox never has to open) the rest of node_modules or a symlink to it.
  const packages: Record<string, string> = {};
  for (const name of GUEST_PACKAGES) {
    const entry = packageEntry(name);
    if (entry !== undefined) packages[name] = entry;
  }
  const readable = [
    ...sourceRoots,
    // The guest's entry and hooks are plain JavaScript under src/workers, also when built.
    join(PACKAGE_ROOT, 'src', 'workers'),
    join(PACKAGE_ROOT, 'package.json'),
    ...Object.values(packages).map(packageDir),
    code.cacheDir,
    ...(own ? [own] : []),
  ].flatMap(withRealPath);
  const execArgv = [
    '--experimental-permission',
    // One flag per path: Node 20.20 no longer splits a comma list (a path may contain commas).
    ...[...new Set(readable)].map((p) => `--allow-fs-read=${p}`),
    '--allow-worker',
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    '--enable-source-maps',
    `--max-old-space-size=${maxMemoryMb}`,
    '--import',
    pathToFileURL(PRELOAD).href,
  ];
  const env = {
    ...guestEnv(),
    CT_GUEST_CODE_DIR: code.cacheDir,
    CT_GUEST_CODE_SALT: code.salt,
    CT_GUEST_RSS_LIMIT_MB: String(maxMemoryMb + RSS_HEADROOM_MB),
    CT_GUEST_WATCH_MS: String(watchMs),
    // Tells the strategy loader that .ts imports already work (no tsx registration in here).
    CT_GUEST_TS_HOOKS: hooks ? '1' : '0',
    CT_GUEST_PACKAGES: JSON.stringify(Object.fromEntries(Object.entries(packages).map(([k, v]) => [k, pathToFileURL(v).href]))),
    ...(RUNNING_BUILT
      ? { CT_GUEST_SOURCE_ROOT: pathToFileURL(join(PACKAGE_ROOT, 'src')).href + '/', CT_GUEST_BUILT_ROOT: pathToFileURL(join(PACKAGE_ROOT, 'dist', 'src')).href + '/' }
      : {}),
  };
  return { execArgv, env, readable };
}
