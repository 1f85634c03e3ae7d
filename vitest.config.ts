import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end cases drive real servers and clients on two cores shared by two test files at once.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is spent waiting on servers, browsers and databases in other processes, so two test
    // files at once keep both cores busy on a two-core machine (the default would run one).
    maxWorkers: 2,
  },
});
