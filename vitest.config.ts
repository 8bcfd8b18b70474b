import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Real Docker on a 2-core machine: files run one after another so that timing assertions
    // (SIGTERM→SIGKILL windows) are not distorted by other files' container starts.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
