import { type APIEmbed, AttachmentBuilder, Routes } from 'discord.js';
import type { DemoOutcome } from '../demos/outcome.js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import type { CommandRun } from '../router/run.js';
import { CHART_FILE, renderReportChart } from './chart.js';
import { demoEmbed } from './demo-embed.js';
import { explainCause } from './doctor.js';
import { gatherFacts, type ReportFacts, type Verdict } from './facts.js';
import { ms } from './format.js';

async function chartFor(run: CommandRun, facts: ReportFacts): Promise<AttachmentBuilder | null> {
  try {
    const { png, renderMs } = await renderReportChart(facts);
    run.log.debug({ renderMs: Math.round(renderMs * 10) / 10 }, 'rendered timeline chart');
    return new AttachmentBuilder(png, { name: CHART_FILE });
  } catch (error) {
    // A report without its picture still teaches; never lose the answer over a chart.
    run.log.warn({ err: error }, 'could not render the timeline chart');
    return null;
  }
}

async function payloadFor(
  run: CommandRun,
  facts: ReportFacts,
): Promise<{ content: string; embeds: APIEmbed[]; files: AttachmentBuilder[] }> {
  const chart = await chartFor(run, facts);
  // content '' clears a progress line the deferred reply may still show.
  return {
    content: '',
    embeds: [demoEmbed(facts, chart ? CHART_FILE : undefined)],
    files: chart ? [chart] : [],
  };
}

function logReport(run: CommandRun, facts: ReportFacts): void {
  if (facts.verdict === 'acked-elsewhere' && facts.initialResponsesSent <= 1) {
    run.log.warn(
      'Discord refused our only response with 40060 (already acknowledged): another process answered first. Are two copies of the bot running with this token?',
    );
  }
  run.log.info(
    {
      verdict: facts.verdict,
      firstResponseMs: Math.round(facts.firstResponseMs),
      totalMs: Math.round(facts.totalMs),
      loopMaxMs: Math.round(facts.loop.max),
      blockers: facts.blockers.map((b) => ({ user: b.user, command: b.label, heldMs: b.heldMs })),
    },
    `${facts.outcome.label} by ${facts.user.name}: ${facts.verdict === 'answering' ? 'answered' : facts.verdict}`,
  );
}

/**
 * Sends a demo's report the way Discord still allows: in the first response, as an edit of the
 * deferred reply, or — when the token is dead — as a channel message that names the user and
 * explains, with numbers, why their command failed.
 */
export async function deliverReport(run: CommandRun, outcome: DemoOutcome): Promise<ReportFacts> {
  const { respond } = run;
  if (respond.state === 'pending') {
    const facts = gatherFacts(run, outcome, 'answering');
    // The answer goes out first and the picture follows in an edit: rendering must not spend
    // the 3 s this command has left.
    if (await respond.reply({ embeds: [demoEmbed(facts)] })) {
      logReport(run, facts);
      const chart = await chartFor(run, facts);
      if (chart) {
        await respond
          .edit({ embeds: [demoEmbed(facts, CHART_FILE)], files: [chart] })
          .catch((error) => run.log.warn({ err: error }, 'could not attach the chart'));
      }
      return facts;
    }
  } else if (respond.state === 'deferred') {
    const facts = gatherFacts(run, outcome, 'deferred');
    if (await editWithChart(run, facts)) {
      logReport(run, facts);
      return facts;
    }
  }
  const verdict: Verdict =
    respond.state === 'edit-expired'
      ? 'edit-expired'
      : respond.state === 'acked-elsewhere'
        ? 'acked-elsewhere'
        : 'expired';
  const facts = gatherFacts(run, outcome, verdict);
  logReport(run, facts);
  await explainInChannel(run, facts);
  return facts;
}

/** The sentence at the top of a channel explanation. */
export function channelExplanation(facts: ReportFacts): string {
  const who = `<@${facts.user.id}>`;
  const label = `**${facts.outcome.label}**`;
  const cause = explainCause(facts);
  switch (facts.verdict) {
    case 'edit-expired':
      return `${who} your ${label} finished, but too late to edit its reply: ${cause}`;
    case 'acked-elsewhere':
      return `${who} your ${label} was answered by another copy of this bot (Discord said 40060: already acknowledged). Two processes are running with the same token; stop one.`;
    default:
      return `${who} your ${label} got no answer: its interaction token **expired** after **${ms(facts.firstResponseMs)}** (Discord allows ${ms(INITIAL_RESPONSE_DEADLINE_MS)}), so Discord showed “This interaction failed”.${cause ? ` Why: ${cause}` : ''}`;
  }
}

async function explainInChannel(run: CommandRun, facts: ReportFacts): Promise<void> {
  const channelId = run.interaction.channelId;
  const content = channelExplanation(facts).slice(0, 2_000);
  if (!channelId) {
    run.log.warn({ explanation: content }, 'no channel to explain the expired interaction in');
    return;
  }
  const { embeds, files } = await payloadFor(run, facts);
  const post = (withFiles: boolean) =>
    run.ctx.client.rest.post(Routes.channelMessages(channelId), {
      body: {
        content,
        embeds: withFiles ? embeds : [demoEmbed(facts)],
        allowed_mentions: { users: [facts.user.id] },
        attachments: withFiles ? files.map((f, id) => ({ id, filename: f.name })) : [],
      },
      files: withFiles
        ? files.map((f) => ({ name: f.name ?? CHART_FILE, data: f.attachment as Buffer }))
        : [],
    });
  try {
    await post(files.length > 0).catch((error) => {
      if (files.length === 0) throw error;
      // The words matter more than the picture: try once more without the upload.
      run.log.warn({ err: error }, 'could not upload the chart with the explanation; sending it without');
      return post(false);
    });
  } catch (error) {
    // Without Send Messages in that channel there is nowhere left to tell the user: log it.
    run.log.warn(
      { err: error, channelId, explanation: content },
      'could not post the expiry explanation to the channel',
    );
  }
}

/** Edits the deferred reply with the report and its chart; if the upload fails, without the chart. */
async function editWithChart(run: CommandRun, facts: ReportFacts): Promise<boolean> {
  const payload = await payloadFor(run, facts);
  try {
    return await run.respond.edit(payload);
  } catch (error) {
    if (payload.files.length === 0) throw error;
    run.log.warn({ err: error }, 'could not upload the chart with the report; sending it without');
    return run.respond.edit({ content: '', embeds: [demoEmbed(facts)], attachments: [] });
  }
}
