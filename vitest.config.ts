import { defineConfig } from 'vitest/config';

// Tests drive a real discord.js client against the sandbox, and several of them block the
// event loop on purpose: run files one at a time so one file's block never skews another's
// numbers on a 2-core machine.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
