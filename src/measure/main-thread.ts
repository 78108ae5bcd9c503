/** Moved to @looplab/doctor (packages/doctor/src/main-thread.ts): LoopLab measures with the package it publishes. */
export { type Blocker, type Holder, type HoldSpan, MainThreadLedger } from '@looplab/doctor/meters';
