// Preloaded into a bot process by tests/crash.test.ts (`node --import tsx --import this src/main.ts`).
// On SIGUSR2 it leaves a rejected promise unhandled inside an interaction's scope, then throws an
// exception nobody catches: what a bug in a command handler does to a real bot. Worker threads get
// the same preload (they inherit execArgv) and must not import TypeScript before their loader is up.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { runAs } = await import('../../src/measure/attribution.ts');
  process.on('SIGUSR2', () => {
    runAs({ interactionId: '1234567890123456789', command: 'lost', userId: 'u1' }, () => {
      void Promise.reject(new Error('a promise nobody awaited'));
    });
    setTimeout(() => {
      throw new Error('a bug nobody caught');
    }, 200);
  });
}
