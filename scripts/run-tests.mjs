// Runs vitest and closes with one plain line "tests: N passed, N failed, N skipped" that any CI can
// read, keeping vitest's own exit code, after the list of the skipped tests (file > name), so a
// skip is never silent. Extra arguments are passed to vitest.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';

const out = '.vitest-results.json';
rmSync(out, { force: true });
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let code = r.status ?? 1;
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  const skippedTests = (j.testResults ?? []).flatMap((f) =>
    (f.assertionResults ?? []).filter((t) => ['pending', 'skipped', 'todo'].includes(t.status)).map((t) => `${relative(process.cwd(), f.name)} > ${t.fullName}`),
  );
  if (skippedTests.length > 0) console.log(`skipped tests:\n${skippedTests.map((t) => `  ${t}`).join('\n')}`);
  console.log(`tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
  if (j.numTotalTests === 0) code = code || 1;
} catch {
  console.log('tests: 0 passed, 1 failed (vitest wrote no results)');
  code = code || 1;
}
process.exit(code);
