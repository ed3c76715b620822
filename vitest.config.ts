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
    // The slowest files first, by the durations the machine's cache keeps for every clone.
    sequence: { sequencer: FileDurationSequencer },
    reporters: ['default', new FileDurationReporter()],
  },
});
