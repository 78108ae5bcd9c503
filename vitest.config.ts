import { defineConfig } from 'vitest/config';

/**
 * The end-to-end files: each starts the sandbox (and usually the real bot with real discord.js),
 * and several block the event loop on purpose. Everything else under tests/ is a unit file.
 * tests/architecture.test.ts checks that every file that starts a sandbox is listed here.
 */
export const E2E_FILES = [
  'tests/bot.test.ts',
  'tests/classroom.test.ts',
  'tests/guards.test.ts',
  'tests/pipeline.test.ts',
  'tests/robustness.test.ts',
  'tests/sandbox.test.ts',
  'tests/sandbox-conformance.test.ts',
  'tests/scripts.test.ts',
  'tests/shutdown.test.ts',
  'tests/teaching.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        // Pure modules: seconds of feedback (`npm run test:unit`, under 15 s on 2 cores). The files
        // share one worker process and its module cache (isolate: false), which is most of the time
        // saved; one worker (vitest's default here) keeps CPU-time checks such as work.test's fair.
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: E2E_FILES,
          pool: 'forks',
          isolate: false,
          testTimeout: 20_000,
          hookTimeout: 20_000,
          // Unit files run first and alone: never at the same time as an end-to-end file.
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Real discord.js against the sandbox, and several tests block the event loop on purpose:
        // one file at a time, in its own process, so one file's block never skews another's numbers
        // on a 2-core machine.
        test: {
          name: 'e2e',
          include: E2E_FILES,
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
