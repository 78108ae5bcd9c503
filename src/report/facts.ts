import type { DemoOutcome } from '../contracts/outcome.js';
import { type Diagnosis, diagnose } from '../measure/doctor.js';
import type { InteractionSnapshot } from '../measure/snapshot.js';

/** Everything a demo's report says: the measured snapshot, what the demo did, and the doctor's word. */
export interface ReportFacts extends InteractionSnapshot {
  outcome: DemoOutcome;
  diagnosis: Diagnosis | null;
}

export function reportFacts(snapshot: InteractionSnapshot, outcome: DemoOutcome): ReportFacts {
  return { ...snapshot, outcome, diagnosis: diagnose(snapshot) };
}
