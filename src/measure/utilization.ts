/** Moved to @looplab/doctor (packages/doctor/src/utilization.ts): LoopLab measures with the package it publishes. */
export {
  CPU_SCOPE,
  type CpuScope,
  threadCpuMs,
  UtilizationRecorder,
  type WindowUtilization,
} from '@looplab/doctor/meters';
