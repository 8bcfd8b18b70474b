import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // test/chaos (20 agent kills × 20 tasks, minutes) runs only through `npm run test:chaos`.
    exclude: process.env.DOCKHAND_CHAOS ? configDefaults.exclude : [...configDefaults.exclude, 'test/chaos/**'],
    // Real Docker on a 2-core machine: files run one after another so that timing assertions
    // (SIGTERM→SIGKILL windows) are not distorted by other files' container starts.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
