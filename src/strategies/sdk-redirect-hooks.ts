/**
 * Module resolution hooks (node:module `register`), used only by the built JavaScript: an import
 * that resolves to a source file `<root>/src/**\/*.ts` is answered with the built
 * `<root>/dist/src/**\/*.js` when it exists (see typescript-imports.ts for why). Runs on Node's
 * loader thread; keep it dependency-free.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Roots {
  readonly sourceRoot: string;
  readonly builtRoot: string;
}
interface Resolved {
  readonly url: string;
  readonly format?: string | null;
}
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

let roots: Roots = { sourceRoot: '', builtRoot: '' };

export function initialize(data: Roots): void {
  roots = data;
}

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<Resolved> {
  const r = await nextResolve(specifier, context);
  // A strategy imported under a URL naming its text (`?v=`, loader.ts) passes its query on to the
  // URLs its imports resolve to; the built SDK it is redirected to is the one shared module, without it.
  const url = r.url.replace(/[?#].*$/, '');
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return r;
  if (roots.sourceRoot !== '' && url.startsWith(roots.sourceRoot)) {
    const built = `${roots.builtRoot}${url.slice(roots.sourceRoot.length, -3)}.js`;
    if (existsSync(fileURLToPath(built))) return { ...r, url: built, format: 'module' };
  }
  // A strategy is an ES module (docs/strategies.md), also in a folder without a package.json
  // saying so, where Node would otherwise take it for CommonJS.
  return { ...r, format: 'module' };
}
