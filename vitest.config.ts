import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is spent waiting on servers, browsers and databases in other processes, so two test
    // files at once keep both cores busy on a two-core machine (the default would run one).
    maxWorkers: 2,
  },
});
