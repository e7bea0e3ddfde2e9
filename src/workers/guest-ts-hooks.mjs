/**
 * Module hooks of a sandboxed strategy process (registered by guest-preload.mjs; they run on
 * Node's loader thread, so this file is plain JavaScript with no dependency).
 *
 *  - load: a `.ts` file is answered with the JavaScript the daemon compiled from its current text
 *    (guest-code.ts; the cache name is sha256(salt + "\0" + text)). Nothing is transpiled here: the
 *    sandbox forbids the child process a TypeScript compiler would need.
 *  - resolve: the few npm packages the runner imports are answered with the entry file the daemon
 *    resolved (real path), so Node never needs to read node_modules beyond those packages;
 *  - resolve (built JavaScript only): an import of a source file `<root>/src/**\/*.ts` is answered
 *    with the built `<root>/dist/src/**\/*.js`, so a user strategy shares the runner's modules
 *    (same rule as src/strategies/sdk-redirect-hooks.ts for an unsandboxed thread).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cfg = { cacheDir: '', salt: '', sourceRoot: '', builtRoot: '', packages: {} };

export function initialize(data) {
  cfg = data;
}

const isTs = (url) => url.startsWith('file:') && /\.(ts|mts)$/.test(url);

export async function resolve(specifier, context, nextResolve) {
  // Packages the runner imports, resolved by the daemon to their real entry file.
  const pkg = Object.hasOwn(cfg.packages, specifier) ? cfg.packages[specifier] : undefined;
  if (pkg !== undefined) return { url: pkg, shortCircuit: true };
  // Built: a strategy's relative import of a source file goes to the built module before Node's
  // resolver looks at the source file (which the sandbox of a built guest does not let it read).
  if (cfg.builtRoot !== '' && /^(\.{1,2}\/|\/|file:)/.test(specifier) && context.parentURL) {
    const target = new URL(specifier, context.parentURL).href;
    const built = builtOf(target);
    if (built !== undefined) return { url: built, format: 'module', shortCircuit: true };
  }
  const r = await nextResolve(specifier, context);
  if (!isTs(r.url)) return r;
  const built = builtOf(r.url);
  if (built !== undefined) return { ...r, url: built, format: 'module' };
  return { ...r, format: 'module' };
}

/** The built module of a source file URL `<root>/src/**\/*.ts`, when built and present. */
function builtOf(url) {
  if (cfg.builtRoot === '' || !isTs(url) || !url.startsWith(cfg.sourceRoot)) return undefined;
  const built = `${cfg.builtRoot}${url.slice(cfg.sourceRoot.length).replace(/\.m?ts$/, '')}.js`;
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export async function load(url, context, nextLoad) {
  if (!isTs(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const text = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(cfg.salt).update('\0').update(text).digest('hex');
  const compiled = join(cfg.cacheDir, `${key}.mjs`);
  let source;
  try {
    source = readFileSync(compiled, 'utf8');
  } catch {
    throw new Error(`${file}: no compiled form in ${cfg.cacheDir}; the strategy process only runs TypeScript the daemon compiled before it started (a file changed since, or outside the strategy and source folders)`);
  }
  return { format: 'module', source, shortCircuit: true };
}
