import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * vitest global setup: compiles dist/ from the current sources (incremental: a few seconds when
 * nothing changed), so the CLI the tests start (tests/support/cli-entry.ts) is never stale.
 */
export default function setup(): void {
  if (process.env['CT_TEST_CLI'] === 'sources') return;
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}
