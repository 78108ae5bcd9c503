/** Moved to @looplab/doctor (packages/doctor/src/clock-offset.ts): LoopLab measures with the package it publishes. */
export { ClockOffsetEstimator } from '@looplab/doctor/meters';
