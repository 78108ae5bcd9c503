import {
  type ChatInputCommandInteraction,
  DiscordAPIError,
  type MessageComponentInteraction,
  MessageFlags,
  Routes,
} from 'discord.js';
import type { OutgoingMessage, ResponseState } from '../contracts/run.js';
import { ErrorCode } from '../discord/facts.js';
import type { InteractionTrace } from '../measure/trace.js';
import { toEdit, toReply, toUpdate } from './message.js';

export interface Refusal {
  code: number;
  at: number;
  step: 'reply' | 'defer' | 'edit' | 'follow-up';
}

type Repliable = ChatInputCommandInteraction | MessageComponentInteraction;

/**
 * The only code that talks to Discord about an interaction. Sends its responses, stamps the trace
 * (ack sent/confirmed, final sent/confirmed), and turns Discord's refusals into states the reports
 * explain: 10062 (the 3 s deadline passed), 40060 (someone else acknowledged it), 50027 (the
 * 15-minute token expired).
 */
export class Responder {
  state: ResponseState = 'pending';
  readonly refusals: Refusal[] = [];
  /** How many initial responses this process sent (a 40060 after one means another process answered). */
  initialResponsesSent = 0;
  /** Sealed at shutdown: nothing more is sent for this interaction. */
  #sealed = false;

  constructor(
    private readonly interaction: Repliable,
    private readonly trace: InteractionTrace,
    /** Told when Discord accepts the first response. */
    private readonly onAck?: (at: number) => void,
  ) {}

  /** The first response: "LoopLab is thinking…". True when Discord accepted it. */
  async defer(ephemeral = false): Promise<boolean> {
    if (this.#sealed) return false;
    return this.#initial('defer', async () => {
      await this.interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
      this.state = 'deferred';
    });
  }

  /** The first response with content. True when Discord accepted it. */
  async reply(message: OutgoingMessage): Promise<boolean> {
    if (this.#sealed) return false;
    this.trace.mark('finalSent');
    const ok = await this.#initial('reply', async () => {
      await this.interaction.reply(toReply(message));
      this.state = 'replied';
    });
    if (ok) this.trace.mark('finalConfirmed');
    return ok;
  }

  /** The first response to a button: changes the message it is on (callback 7). */
  async update(message: OutgoingMessage): Promise<boolean> {
    const interaction = this.interaction;
    if (!interaction.isMessageComponent()) throw new Error('update() answers a component interaction');
    if (this.#sealed) return false;
    return this.#initial('reply', async () => {
      await interaction.update(toUpdate(message));
      this.state = 'replied';
    });
  }

  /** Edits the deferred (or sent) reply. True when Discord accepted it. */
  async edit(message: OutgoingMessage): Promise<boolean> {
    if (this.#sealed) return false;
    return this.#edit(message);
  }

  async #edit(message: OutgoingMessage): Promise<boolean> {
    this.trace.mark('finalSent');
    try {
      await this.interaction.editReply(toEdit(message));
      this.trace.mark('finalConfirmed');
      return true;
    } catch (error) {
      if (isApiError(error, ErrorCode.InvalidWebhookToken)) {
        this.refusals.push({ code: ErrorCode.InvalidWebhookToken, at: Date.now(), step: 'edit' });
        this.state = 'edit-expired';
        return false;
      }
      throw error;
    }
  }

  /** An extra message after the first response (e.g. an ephemeral note). */
  async followUp(message: OutgoingMessage): Promise<boolean> {
    if (this.#sealed) return false;
    try {
      await this.interaction.followUp(toReply(message));
      return true;
    } catch (error) {
      if (isApiError(error, ErrorCode.InvalidWebhookToken) || isApiError(error, ErrorCode.UnknownWebhook)) {
        this.refusals.push({
          code: (error as DiscordAPIError).code as number,
          at: Date.now(),
          step: 'follow-up',
        });
        return false;
      }
      throw error;
    }
  }

  /**
   * A normal channel message (not tied to the token): how the bot still reaches a user whose
   * interaction can no longer be answered. Mentions only `mention`.
   */
  async postInChannel(channelId: string, message: OutgoingMessage, mention: string): Promise<void> {
    if (this.#sealed) return;
    const files = message.files ?? [];
    await this.interaction.client.rest.post(Routes.channelMessages(channelId), {
      body: {
        content: message.content ?? '',
        embeds: message.embeds ?? [],
        allowed_mentions: { users: [mention] },
        attachments: files.map((f, id) => ({ id, filename: f.name })),
      },
      files: files.map((f) => ({ name: f.name, data: f.data })),
    });
  }

  /**
   * The last word at shutdown: sends `final` the way the state allows (an edit of a deferred
   * reply, or a first response), then refuses every later send, so a command still running
   * cannot contradict it.
   */
  async seal(final?: OutgoingMessage): Promise<void> {
    if (this.#sealed) return;
    this.#sealed = true;
    if (!final) return;
    try {
      if (this.state === 'deferred') await this.#edit(final);
      else if (this.state === 'pending') {
        await this.#initial('reply', async () => {
          await this.interaction.reply(toReply(final));
          this.state = 'replied';
        });
      }
    } catch {
      // Shutting down: nobody is left to tell.
    }
  }

  async #initial(step: 'reply' | 'defer', send: () => Promise<void>): Promise<boolean> {
    this.trace.mark('ackSent');
    this.initialResponsesSent += 1;
    try {
      await send();
      this.onAck?.(this.trace.mark('ackConfirmed'));
      return true;
    } catch (error) {
      if (isApiError(error, ErrorCode.UnknownInteraction)) {
        this.refusals.push({ code: ErrorCode.UnknownInteraction, at: Date.now(), step });
        this.trace.mark('expiredAt');
        this.state = 'expired';
        return false;
      }
      if (isApiError(error, ErrorCode.InteractionAlreadyAcknowledged)) {
        this.refusals.push({ code: ErrorCode.InteractionAlreadyAcknowledged, at: Date.now(), step });
        this.state = 'acked-elsewhere';
        return false;
      }
      throw error;
    }
  }
}

export function isApiError(error: unknown, code: number): error is DiscordAPIError {
  return error instanceof DiscordAPIError && error.code === code;
}
