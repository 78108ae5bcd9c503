export {
  currentOwner,
  type Owner,
  ownerOf,
  runAs,
  trackPromiseOwners,
  watchOwnedCallbacks,
} from './attribution.js';
export {
  type Blocker,
  type Cause,
  CLOSE_CALL_MS,
  type Diagnosis,
  diagnose,
  LATE_ARRIVAL_MS,
  type Outcome,
  type ResponseFacts,
  SLOW_QUEUE_MS,
} from './diagnose.js';
export {
  DiscordCode,
  INITIAL_RESPONSE_DEADLINE_MS,
  INTERACTION_TOKEN_LIFETIME_MS,
  snowflakeTime,
} from './facts.js';
export {
  type Doctor,
  type DoctorLogger,
  type DoctorOptions,
  type DoctorSnapshot,
  type InFlight,
  installDoctor,
  type MetricsRegistry,
} from './install.js';
// The measurement parts (also at '@looplab/doctor/meters', which loads without discord.js).
export * from './meters.js';
