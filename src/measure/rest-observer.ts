/** Moved to @looplab/doctor (packages/doctor/src/rest-observer.ts): LoopLab measures with the package it publishes. */
export {
  type CallbackTiming,
  type RateLimitHit,
  RestObserver,
  type ServerErrorHit,
} from '@looplab/doctor/meters';
