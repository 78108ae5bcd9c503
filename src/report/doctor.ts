import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import type { ReportFacts } from './facts.js';
import { ms, seconds } from './format.js';

/**
 * Names the cause of a failure or a close call from what was measured, most specific first, in
 * one sentence with numbers. Returns null when the response was comfortably on time.
 */
export function explainCause(facts: ReportFacts): string | null {
  const failed = facts.verdict === 'expired';
  const close = facts.firstResponseMs > (INITIAL_RESPONSE_DEADLINE_MS * 2) / 3;
  if (facts.verdict === 'edit-expired') {
    return `the result came ${seconds(facts.totalMs)} after the command; interaction tokens work for 15 minutes, so the edit was refused (50027).`;
  }
  if (!failed && !close) return null;
  const waited = facts.firstResponseMs;
  const heldByOthers = facts.blockers.reduce((t, b) => t + b.heldMs, 0);
  const top = facts.blockers[0];
  if (top && heldByOthers >= waited / 3) {
    const others = facts.blockers.length > 1 ? ` (and ${facts.blockers.length - 1} more)` : '';
    return `the bot’s event loop was held by **${top.user}**’s \`${top.label}\` for **${seconds(top.heldMs)}**${others} while your command waited.`;
  }
  if (facts.ownHeldMs >= waited / 3) {
    return `this command’s own work ran on the main thread for **${seconds(facts.ownHeldMs)}** before it tried to answer.`;
  }
  if (facts.ageOnArrivalMs > 1_000) {
    return `it arrived ${ms(facts.ageOnArrivalMs)} after Discord created it (network or host delay).`;
  }
  return `the first response took ${ms(waited)}.`;
}
