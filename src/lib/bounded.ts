/**
 * LoopLab's bounded histories (by age and by count) are @looplab/doctor's
 * (packages/doctor/src/bounded.ts): one implementation for the bot, the sandbox and the package.
 */
export { BoundedMap, type Bounds, TimeWindow } from '@looplab/doctor/meters';
