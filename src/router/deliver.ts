import type { BotContext } from '../contracts/context.js';
import type { DemoOutcome } from '../contracts/outcome.js';
import type { CommandResult, OutgoingMessage, Picture } from '../contracts/run.js';
import type { Logger } from '../log/logger.js';
import { snapshotInteraction, type Verdict } from '../measure/snapshot.js';
import type { InteractionTrace } from '../measure/trace.js';
import { ChartShedError } from '../report/charts/png.js';
import { demoMessage, explanationMessage, reportPicture } from '../report/demo-report.js';
import { type ReportFacts, reportFacts } from '../report/facts.js';
import { withNote, withoutFiles, withPicture } from './message.js';
import type { Responder } from './respond.js';

/** Everything the pipeline needs to answer one interaction. */
export interface Delivery {
  ctx: BotContext;
  responder: Responder;
  trace: InteractionTrace;
  user: { id: string; name: string };
  channelId: string | null;
  log: Logger;
  /** Set on the way: the interaction was refused (arguments, guards), or failed (an apology). */
  end: { refused?: boolean; failed?: boolean };
}

/**
 * The one delivery pipeline: whatever a command returns is sent here, the way Discord still
 * allows — as the first response, as an edit of the deferred reply, or (a demo whose token is
 * dead) as a channel message that names the user and explains why, with numbers.
 */
export async function deliver(result: CommandResult, d: Delivery): Promise<void> {
  switch (result.type) {
    case 'none':
      return;
    case 'report':
      await deliverReport(result.outcome, d);
      return;
    case 'message':
      await deliverMessage(result.message, result.picture, d);
      return;
    case 'update':
      await d.responder.update(result.message);
      return;
    case 'live':
      await deliverLive(result.frames, d);
      return;
  }
}

/**
 * A message, and its picture after it. While the 3 s clock runs, the words go out first and the
 * picture follows in an edit (rendering must not spend the time left); a deferred reply is edited
 * once, picture included.
 */
async function deliverMessage(message: OutgoingMessage, picture: Picture | undefined, d: Delivery) {
  const { responder } = d;
  switch (responder.state) {
    case 'pending':
      if ((await responder.reply(message)) && picture) await attachLater(message, picture, d);
      return;
    case 'deferred':
      await editWithPicture(message, picture, d);
      return;
    case 'replied':
      await responder.followUp(message);
      return;
    default:
      d.log.info({ state: responder.state }, 'nothing sent: the interaction can no longer be answered');
  }
}

/** What a report says when its chart was shed under load: the numbers are all there, only the picture is not. */
export const CHART_SHED_NOTE =
  'No chart this time: the bot is busy drawing many others (it sheds charts under a burst, never the answer).';

/** A picture, or none: shed under load (the message then says so) or failed (logged). */
interface Rendered {
  png: Buffer | null;
  shed: boolean;
}

/** The message as it goes when its picture could not be drawn: with the shed note if it was shed. */
function withoutPicture(message: OutgoingMessage, { shed }: Rendered): OutgoingMessage {
  return shed ? withNote(message, CHART_SHED_NOTE) : message;
}

/** Renders the picture; without it (logged) when it cannot: a message without its picture still teaches. */
async function render(picture: Picture, log: Logger): Promise<Rendered> {
  const started = performance.now();
  try {
    const png = await picture.render();
    log.debug(
      { picture: picture.name, renderMs: Math.round((performance.now() - started) * 10) / 10 },
      'rendered',
    );
    return { png, shed: false };
  } catch (error) {
    log.warn({ err: error, picture: picture.name }, 'could not render the picture');
    return { png: null, shed: error instanceof ChartShedError };
  }
}

async function attachLater(message: OutgoingMessage, picture: Picture, d: Delivery): Promise<void> {
  const rendered = await render(picture, d.log);
  // Shed: one edit that says so, in place of the one that would have attached it.
  const { png, shed } = rendered;
  const next = png
    ? withPicture(message, picture.name, png)
    : shed
      ? withoutPicture(message, rendered)
      : null;
  if (!next) return;
  await d.responder.edit(next).catch((error) => d.log.warn({ err: error }, 'could not attach the picture'));
}

/** Edits the deferred reply with the message and its picture; if the upload fails, without it. */
async function editWithPicture(message: OutgoingMessage, picture: Picture | undefined, d: Delivery) {
  if (!picture) return d.responder.edit(message);
  const rendered = await render(picture, d.log);
  const { png } = rendered;
  if (!png) return d.responder.edit(withoutPicture(message, rendered));
  try {
    return await d.responder.edit(withPicture(message, picture.name, png));
  } catch (error) {
    d.log.warn({ err: error }, 'could not upload the picture with the reply; sending it without');
    return d.responder.edit(withoutFiles(message));
  }
}

/** A message that changes: frame after frame, each awaited; a refused send ends it. */
async function deliverLive(frames: AsyncIterable<OutgoingMessage>, d: Delivery): Promise<void> {
  const { responder } = d;
  for await (const frame of frames) {
    const sent = responder.state === 'pending' ? await responder.reply(frame) : await responder.edit(frame);
    if (!sent) break; // leaving the loop closes the iterator: the producer's finally runs
  }
}

/** A demo's report, written from one snapshot of the measurements. */
async function deliverReport(outcome: DemoOutcome, d: Delivery): Promise<ReportFacts> {
  const { responder } = d;
  if (responder.state === 'pending') {
    const facts = factsFor(outcome, 'answering', d);
    if (await responder.reply(demoMessage(facts))) {
      logReport(facts, d.log);
      await attachLater(demoMessage(facts), reportPicture(facts), d);
      return facts;
    }
  } else if (responder.state === 'deferred') {
    const facts = factsFor(outcome, 'deferred', d);
    if (await editWithPicture(demoMessage(facts), reportPicture(facts), d)) {
      logReport(facts, d.log);
      return facts;
    }
  }
  const facts = factsFor(outcome, deadVerdict(responder), d);
  logReport(facts, d.log);
  await explainInChannel(facts, d);
  return facts;
}

function deadVerdict(responder: Responder): Verdict {
  if (responder.state === 'edit-expired') return 'edit-expired';
  if (responder.state === 'acked-elsewhere') return 'acked-elsewhere';
  return 'expired';
}

function factsFor(outcome: DemoOutcome, verdict: Verdict, d: Delivery): ReportFacts {
  const snapshot = snapshotInteraction(d.ctx.measure, d.trace, d.user, {
    verdict,
    initialResponsesSent: d.responder.initialResponsesSent,
  });
  return reportFacts(snapshot, outcome);
}

function logReport(facts: ReportFacts, log: Logger): void {
  if (facts.verdict === 'acked-elsewhere' && facts.initialResponsesSent <= 1) {
    log.warn(
      'Discord refused our only response with 40060 (already acknowledged): another process answered first. Are two copies of the bot running with this token?',
    );
  }
  log.info(
    {
      verdict: facts.verdict,
      firstResponseMs: Math.round(facts.firstResponseMs),
      totalMs: Math.round(facts.totalMs),
      loopMaxMs: Math.round(facts.loop.max),
      cause: facts.diagnosis?.cause,
      blockers: facts.blockers.map((b) => ({ user: b.user, command: b.label, heldMs: b.heldMs })),
    },
    `${facts.outcome.label} by ${facts.user.name}: ${facts.verdict === 'answering' ? 'answered' : facts.verdict}`,
  );
}

/**
 * When the token is dead the interaction can no longer be answered: a normal channel message
 * mentions the user and explains it (the picture too, if the upload goes through).
 */
async function explainInChannel(facts: ReportFacts, d: Delivery): Promise<void> {
  const message = explanationMessage(facts);
  if (!d.channelId) {
    d.log.warn({ explanation: message.content }, 'no channel to explain the expired interaction in');
    return;
  }
  const picture = reportPicture(facts);
  const rendered = await render(picture, d.log);
  const { png } = rendered;
  const post = (m: OutgoingMessage) => d.responder.postInChannel(d.channelId as string, m, facts.user.id);
  try {
    if (!png) {
      await post(withoutPicture(message, rendered));
      return;
    }
    await post(withPicture(message, picture.name, png)).catch((error) => {
      // The words matter more than the picture: try once more without the upload.
      d.log.warn({ err: error }, 'could not upload the chart with the explanation; sending it without');
      return post(message);
    });
  } catch (error) {
    // Without Send Messages in that channel there is nowhere left to tell the user: log it.
    d.log.warn(
      { err: error, channelId: d.channelId, explanation: message.content },
      'could not post the expiry explanation to the channel',
    );
  }
}
