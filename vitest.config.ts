import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * A test file is end-to-end when it starts the sandbox (usually with the real bot and real
 * discord.js), a database or a process: a call to startLoopLab(), startSandboxThread(), startTinyBot(),
 * startPostgres() or
 * spawn(). Several of those block the event loop on purpose. Every other file under tests/ is a
 * unit file. Decided from the files themselves, so a new end-to-end file can never land in the fast
 * project by being forgotten in a list.
 */
export const STARTS_A_SANDBOX = /\bstart(LoopLab|SandboxThread|TinyBot|Sandbox|Postgres)\(|\bspawn\(/;

export const E2E_FILES = readdirSync(join(import.meta.dirname, 'tests'), {
  recursive: true,
  encoding: 'utf8',
})
  .map((f) => f.split('\\').join('/'))
  .filter((f) => f.endsWith('.test.ts') && !f.split('/').includes('node_modules'))
  .filter((f) => STARTS_A_SANDBOX.test(readFileSync(join(import.meta.dirname, 'tests', f), 'utf8')))
  .map((f) => `tests/${f}`)
  .sort();

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
