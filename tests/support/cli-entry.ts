import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './shared-data.ts';

/**
 * How tests start the CLI as a user does: the built JavaScript (`node dist/main.js`, what the
 * package's bin and `npm start` run), which `tests/support/build-dist.ts` compiles from the
 * current sources before any test runs. It starts in about half the CPU time of the sources under
 * tsx, and most integration tests start it many times. `CT_TEST_CLI=sources` runs the sources
 * instead (`node --import tsx main.ts`); tests about the sources path itself start it explicitly.
 */
export const CLI_ARGS: readonly string[] =
  process.env['CT_TEST_CLI'] === 'sources'
    ? // Absolute, so that a test may start it from a folder of its own (tsx resolved from the repository).
      ['--import', pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href, join(REPO_ROOT, 'main.ts')]
    : [join(REPO_ROOT, 'dist', 'main.js')];
