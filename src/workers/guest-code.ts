/**
 * The JavaScript a sandboxed strategy process runs, compiled by the daemon.
 *
 * WHY: a strategy process runs under Node's permission model (guest-sandbox.ts), which forbids
 * child processes. tsx transpiles through esbuild's service binary, a child process, so it cannot
 * work inside the sandbox, and granting child processes would hand strategy code a shell. So the
 * daemon (which may spawn) transpiles every TypeScript file a guest may load, before the guest
 * starts, into a content-addressed cache; the guest's load hook (guest-ts-hooks.mjs) answers a
 * `.ts` URL with the cached JavaScript of that file's current text. URLs stay the source URLs, so
 * relative imports, `import.meta.url` and module identity are exactly as under tsx.
 *
 * Cache entry name: sha256(salt + "\0" + source text) + ".mjs", the salt naming the compiler and
 * its options. A changed file has a new name (never a stale entry); files already compiled by an
 * earlier daemon are reused. The folder is per user, mode 0700.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import { CtError } from '../core/errors.ts';

// Loaded on the first file to compile, so that a run of built-in strategies from dist/ (nothing
// to compile) never loads the compiler; require() because the first compile happens in a sync path.
let esbuild: typeof Esbuild | undefined;
const compiler = (): typeof Esbuild => (esbuild ??= createRequire(import.meta.url)('esbuild') as typeof Esbuild);

/** The esbuild version, read from its package.json without loading it. */
function esbuildVersion(): string {
  try {
    return (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Names the compiler and options: part of every cache key. Bump the tag when the options change. */
export const GUEST_CODE_SALT = `esbuild-${esbuildVersion()}:esm-node20-attrs-inline-map:2`;

export interface GuestCode {
  /** Folder of compiled files, readable by the guest. */
  readonly cacheDir: string;
  readonly salt: string;
}

function uid(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}

/** The default cache folder: one per user under the OS temp folder. */
export function defaultGuestCodeDir(): string {
  return join(tmpdir(), `cryptotrader-guest-code-${uid()}`);
}

export function cacheKey(salt: string, source: string): string {
  return createHash('sha256').update(salt).update('\0').update(source).digest('hex');
}

/** esbuild's first error as `line L:C: text` (its message's first line only says how many errors there were). */
function compileError(e: unknown): string {
  const first = (e as { errors?: Array<{ text?: string; location?: { line?: number; column?: number } | null }> }).errors?.[0];
  if (first?.text === undefined) return String((e as Error)?.message ?? e).split('\n')[0]!;
  return first.location ? `line ${first.location.line}:${(first.location.column ?? 0) + 1}: ${first.text}` : first.text;
}

/** Files already checked in this process, by path: the size and mtime they had then. */
const seen = new Map<string, string>();

function tsFilesUnder(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFilesUnder(p, out);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
}

/**
 * Makes sure every `.ts` file under `roots` (folders, or single files) has its compiled form in
 * the cache. Cheap when nothing changed (a stat per file); compiles only what is new.
 */
export function prepareGuestCode(roots: readonly string[], cacheDir = defaultGuestCodeDir()): GuestCode {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (const r of roots) {
    if (!existsSync(r)) continue;
    if (statSync(r).isDirectory()) tsFilesUnder(r, files);
    else if (/\.(ts|mts)$/.test(r)) files.push(r);
  }
  for (const file of files) {
    const st = statSync(file);
    const stamp = `${cacheDir}\0${st.size}:${st.mtimeMs}`;
    if (seen.get(file) === stamp) continue;
    const source = readFileSync(file, 'utf8');
    const target = join(cacheDir, `${cacheKey(GUEST_CODE_SALT, source)}.mjs`);
    if (!existsSync(target)) {
      let code: string;
      try {
        code = compiler().transformSync(source, { loader: 'ts', format: 'esm', target: 'node20', supported: { 'import-attributes': true }, sourcemap: 'inline', sourcefile: file }).code;
      } catch (e) {
        // The guest would fail to load it anyway; this names the file and esbuild's reason.
        throw new CtError('CT_ERR_STRATEGY_LOAD', `${file}: cannot be compiled for a strategy process: ${compileError(e)}`, { details: { where: file } });
      }
      // Written under a temporary name and renamed: a concurrent daemon never reads half a file.
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, code, { mode: 0o600 });
      renameSync(tmp, target);
    }
    seen.set(file, stamp);
  }
  return { cacheDir, salt: GUEST_CODE_SALT };
}
