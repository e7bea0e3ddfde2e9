import { defineConfig } from 'vitest/config';
import LongestFirst from './tests/support/longest-first.ts';

// Tests run real child processes, real SQLite files and real sockets on 127.0.0.1,
// so they get generous timeouts and a bounded pool (the CI machine has 2 cores).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    // The CLI that tests start is the built one, compiled from the current sources first.
    globalSetup: ['tests/support/build-dist.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker process runs test files one after the other without re-importing the sources for
    // each: the suite starts a few hundred processes of its own, and the import of src/ per file
    // was a sixth of its CPU. Test files share no module state by design (every run gets its own
    // temp workspace, ports and processes).
    isolate: false,
    // Longest files first, from tests/durations.json: the last minute of a run is not one file alone.
    sequence: { sequencer: LongestFirst },
    maxWorkers: 2,
    reporters: ['default'],
  },
});
