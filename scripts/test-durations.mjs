// Writes tests/durations.json (ms per test file, to 0.1 s) from vitest's cache of the last run, for
// the longest-first order of tests/support/longest-first.ts. Run it after a full `npm test`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const base = join('node_modules', '.vite', 'vitest');
const out = {};
for (const d of existsSync(base) ? readdirSync(base) : []) {
  const f = join(base, d, 'results.json');
  if (!existsSync(f)) continue;
  for (const [key, r] of JSON.parse(readFileSync(f, 'utf8')).results) {
    const file = key.replace(/^[^:]*:/, '');
    if (existsSync(file) && typeof r.duration === 'number') out[file] = Math.round(r.duration / 100) * 100;
  }
}
const sorted = Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
writeFileSync(join('tests', 'durations.json'), `${JSON.stringify(sorted, null, 1)}\n`);
console.log(`tests/durations.json: ${Object.keys(sorted).length} files`);
