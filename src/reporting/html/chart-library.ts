/**
 * TradingView's lightweight-charts, standalone production build, read from node_modules once per
 * process and inlined into every report page: the page works offline from file:// (no CDN).
 * The standalone build defines `window.LightweightCharts`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function chartLibrarySource(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports map hides dist/ paths; its package.json is always resolvable.
    const pkgDir = dirname(require.resolve('lightweight-charts/package.json'));
    cached = readFileSync(join(pkgDir, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  }
  return cached;
}
