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
  type Diagnosis,
  diagnose,
  type Outcome,
  type ResponseFacts,
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
export { ClockOffset } from './meters.js';
