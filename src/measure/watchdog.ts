/**
 * The stall watchdog (a thread of its own that logs a main-thread stall while it happens, naming
 * who holds the thread): moved to @looplab/doctor (packages/doctor/src/watchdog.ts and its
 * watchdog-thread.ts), which LoopLab and the doctor any bot installs both use. This shim keeps
 * LoopLab's imports short.
 */
export {
  type Holder,
  LABEL_BYTES,
  Slot,
  type StallSighting,
  TEST_CRASH,
  type TestCrash,
  Watchdog,
  type WatchdogLogger,
  type WatchdogOptions,
} from '@looplab/doctor/watchdog';
