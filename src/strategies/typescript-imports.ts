/**
 * User strategies stay TypeScript (`strategies/custom/<id>.ts`). From the sources they import as
 * they are (tsx or vitest already transpiles); the built JavaScript in dist/ has no TypeScript
 * loader, so the first custom strategy registers one (tsx's register API) in this thread, and
 * only then: a run with built-in strategies alone never loads tsx.
 *
 * A custom strategy imports the SDK by its source path (`../../src/strategy-sdk/index.ts`). When
 * built, sdk-redirect-hooks.ts resolves such an import to the built module in dist/ instead, so
 * the strategy shares the very modules the runner uses (one CtError class, one indicator code),
 * and nothing of ours is transpiled twice.
 */
import { register as registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { codeUrl, PACKAGE_ROOT, RUNNING_BUILT } from '../core/code-location.ts';

let ready: Promise<void> | undefined;

/** Makes `import()` of a .ts file work in this thread. Idempotent; free from the sources. */
export function enableTypeScriptImports(): Promise<void> {
  // In a sandboxed strategy process the preloaded hooks already load daemon-compiled TypeScript
  // (src/workers/guest-code.ts); tsx could not run there (it needs a child process).
  if (!RUNNING_BUILT || process.env.CT_GUEST_TS_HOOKS === '1') return Promise.resolve();
  ready ??= (async () => {
    const { register } = await import('tsx/esm/api');
    register();
    // Registered after tsx, so it runs first (hooks chain last-in, first-out) and sees tsx's answer.
    registerHooks(codeUrl('./sdk-redirect-hooks.ts', import.meta.url).href, {
      data: { sourceRoot: pathToFileURL(join(PACKAGE_ROOT, 'src')).href + '/', builtRoot: pathToFileURL(join(PACKAGE_ROOT, 'dist', 'src')).href + '/' },
    });
  })();
  return ready;
}
