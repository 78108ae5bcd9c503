/**
 * Which interaction owns the code running now (AsyncLocalStorage), across every `await`: moved to
 * @looplab/doctor (packages/doctor/src/attribution.ts), so LoopLab and the doctor any bot installs
 * share one implementation. This shim keeps LoopLab's imports short.
 */
export { currentOwner, type Owner, ownerOf, runAs, trackPromiseOwners } from '@looplab/doctor/attribution';
