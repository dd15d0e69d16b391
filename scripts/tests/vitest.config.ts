// The release and container tests (`pnpm check` runs each as its own step): they build and install
// things, so they run one file at a time and wait longer than the unit tests do.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
