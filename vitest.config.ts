import { defineConfig } from 'vitest/config';
import { FileDurationReporter, FileDurationSequencer } from './test/support/file-durations.js';

// Tests build real Go binaries and run real toolchains: allow generous per-test
// time, and run files in parallel only as far as the 2-core machine allows.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    maxWorkers: 2,
    // One worker process runs many files, each importing the readers, vitest's runner and its
    // transforms once per worker instead of once per file: the warm suite took 231.6 s and 405 s of
    // CPU this way, against 260-283 s and 470-490 s with a fresh process per file. No file leaves
    // state behind that another reads: environment changes are restored, and no file mocks a
    // module for the whole file (test/ci/shared-workers.test.ts checks it).
    isolate: false,
    // The slowest files first, by the durations the machine's cache keeps for every clone.
    sequence: { sequencer: FileDurationSequencer },
    reporters: ['default', new FileDurationReporter()],
  },
});
