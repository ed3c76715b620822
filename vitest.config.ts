import { defineConfig } from 'vitest/config';

// Tests build real Go binaries and run real toolchains: allow generous per-test
// time. Three files at a time on the 2-core machine: the files wait on child
// processes (go builds, CLIs, agents, servers) often enough that two left about a
// tenth of the CPU idle (warm: 588 s of CPU in 332 s of two cores); measured warm,
// 322.7 s with two workers, 291.9 s with three.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    maxWorkers: 3,
    reporters: ['default'],
  },
});
