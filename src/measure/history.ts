/** Moved to @looplab/doctor (packages/doctor/src/history.ts): LoopLab measures with the package it publishes. */
export { HISTORY_MS, historyBounds } from '@looplab/doctor/meters';
