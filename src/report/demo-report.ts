import type { OutgoingMessage, Picture } from '../contracts/run.js';
import { ErrorCode, INITIAL_RESPONSE_DEADLINE_MS, MessageLimits } from '../discord/facts.js';
import { ms, truncate } from '../lib/format.js';
import { CHART_FILE, renderReportChart } from './chart.js';
import { demoEmbed } from './demo-embed.js';
import type { ReportFacts } from './facts.js';

/**
 * A demo's report as a message: one embed (the picture follows as its image). `content: ''`
 * clears a progress line the deferred reply may still show.
 */
export function demoMessage(facts: ReportFacts): OutgoingMessage {
  return { content: '', embeds: [demoEmbed(facts)] };
}

/** The report's timeline picture. */
export function reportPicture(facts: ReportFacts): Picture {
  return { name: CHART_FILE, render: async () => (await renderReportChart(facts)).png };
}

/** The sentence at the top of a channel explanation, when the interaction can no longer be answered. */
export function channelExplanation(facts: ReportFacts): string {
  const who = `<@${facts.user.id}>`;
  const label = `**${facts.outcome.label}**`;
  const cause = facts.diagnosis?.text ?? null;
  let text: string;
  switch (facts.verdict) {
    case 'edit-expired':
      text = `${who} your ${label} finished, but too late to edit its reply: ${cause}`;
      break;
    case 'acked-elsewhere':
      text = `${who} your ${label} was answered by another copy of this bot (Discord said ${ErrorCode.InteractionAlreadyAcknowledged}: already acknowledged). Two processes are running with the same token; stop one.`;
      break;
    default:
      text = `${who} your ${label} got no answer: its interaction token **expired** after **${ms(facts.firstResponseMs)}** (Discord allows ${ms(INITIAL_RESPONSE_DEADLINE_MS)}), so Discord showed “This interaction failed”.${cause ? ` Why: ${cause}` : ''}`;
  }
  return truncate(text, MessageLimits.content);
}

/** The channel message that explains a dead token: mentions the user, with the report's embed. */
export function explanationMessage(facts: ReportFacts): OutgoingMessage {
  return { content: channelExplanation(facts), embeds: [demoEmbed(facts)] };
}
