/**
 * Where this code base runs from: the TypeScript sources (`npx tsx main.ts`, vitest) or the
 * JavaScript that `npm run build` emits into dist/ (the `cryptotrader` bin, `npm start`).
 *
 * The compiler rewrites `.ts` in import specifiers to `.js`, but not a module named at run time
 * as a URL (the entry of a child process or worker thread, a module handed to a worker). Those
 * are named through `codeUrl`, so the same line works in both forms.
 */
import { fileURLToPath } from 'node:url';

/** True when the running code is the built JavaScript in dist/. */
export const RUNNING_BUILT: boolean = import.meta.url.endsWith('.js');

/**
 * The package root (where package.json, config/ and strategies/ are). This file is
 * src/core/code-location.ts, or dist/src/core/code-location.js when built.
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL(RUNNING_BUILT ? '../../../' : '../../', import.meta.url)).replace(/[\\/]$/, '');

/**
 * A module of this code base named by its source path (`./strategy-guest.ts`) relative to the
 * calling module's `import.meta.url`: that `.ts` file when the caller is TypeScript, the `.js`
 * file beside the caller when the caller is the built JavaScript.
 */
export function codeUrl(sourcePath: string, base: string | URL): URL {
  const url = new URL(sourcePath, base);
  if (String(base).endsWith('.js') && url.pathname.endsWith('.ts')) url.pathname = `${url.pathname.slice(0, -3)}.js`;
  return url;
}
