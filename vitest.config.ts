// Unit and integration tests sit next to the code they prove (`*.test.ts`); e2e specs live in e2e/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    // Integration tests start real simulator processes and wait out 10-second long-polls.
    testTimeout: 40_000,
    // Most of a test's time is spent waiting on simulator processes, not on the CPU.
    maxWorkers: 4,
    hookTimeout: 40_000,
  },
});
