/** Moved to @looplab/doctor (packages/doctor/src/loop-delay.ts): LoopLab measures with the package it publishes. */
export { type DelaySample, type DelayStats, LoopDelayRecorder, summarise } from '@looplab/doctor/meters';
