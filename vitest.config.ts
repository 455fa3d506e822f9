import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // beforeAll hooks render trees and start processes: the same bound as a test.
    hookTimeout: 60_000,
    // kubectl and promtool subprocesses: two cores, keep the pool small.
    maxWorkers: 2,
  },
});
