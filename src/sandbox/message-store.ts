import { BoundedMap, type Bounds } from '../lib/bounded.js';
import { ATTACHMENT_BOUNDS, CHANNEL_MESSAGE_BOUNDS, realNow, USER_BOUNDS } from './bounds.js';
import type { StoredAttachment, StoredMessage } from './stored.js';

export interface MessageStoreBounds {
  /** Per channel. */
  messages: Bounds;
  attachments: Bounds;
  /** DM channels, opened as users first act in one (as many as users at most). */
  dmChannels?: Bounds;
}

/**
 * The messages of the sandbox's channels and their uploaded files. Each channel's history is one
 * bounded map (oldest first, keyed by id), so "the channel's messages" and "message by id" can never
 * disagree about what was forgotten.
 */
export class MessageStore {
  readonly #channels = new Map<string, BoundedMap<string, StoredMessage>>();
  /** DM channels: opened on first use, bounded like the users they belong to. */
  readonly #dmChannels: BoundedMap<string, BoundedMap<string, StoredMessage>>;
  readonly #attachments: BoundedMap<string, StoredAttachment>;

  constructor(
    channelIds: readonly string[],
    private readonly bounds: MessageStoreBounds = {
      messages: CHANNEL_MESSAGE_BOUNDS,
      attachments: ATTACHMENT_BOUNDS,
    },
    private readonly now: () => number = realNow,
  ) {
    // The guild's channels are the world's, fixed at start: this map does not grow.
    for (const id of channelIds) this.#channels.set(id, new BoundedMap(bounds.messages, now));
    this.#dmChannels = new BoundedMap(bounds.dmChannels ?? USER_BOUNDS, now);
    this.#attachments = new BoundedMap(bounds.attachments, now);
  }

  hasChannel(channelId: string): boolean {
    return this.#channel(channelId) !== undefined;
  }

  /** Opens (or keeps open) a DM channel: each use moves it to the newest end, so only idle ones are forgotten. */
  openDmChannel(channelId: string): void {
    const existing = this.#dmChannels.get(channelId);
    this.#dmChannels.set(channelId, existing ?? new BoundedMap(this.bounds.messages, this.now));
  }

  /** Stores a new message at the newest end of its channel (the oldest goes when the channel is full). */
  add(message: StoredMessage): StoredMessage {
    const channel = this.#channel(message.channelId);
    if (!channel) throw new Error(`the sandbox has no channel ${message.channelId}`);
    channel.set(message.id, message);
    this.addAttachments(message.attachments);
    return message;
  }

  get(id: string): StoredMessage | undefined {
    for (const channel of [...this.#channels.values(), ...this.#dmChannels.values()]) {
      channel.prune();
      const message = channel.get(id);
      if (message) return message;
    }
    return undefined;
  }

  /** A channel's remembered messages, oldest first (deleted ones included, flagged); undefined if no such channel. */
  inChannel(channelId: string): StoredMessage[] | undefined {
    const channel = this.#channel(channelId);
    if (!channel) return undefined;
    channel.prune();
    return channel.values();
  }

  #channel(channelId: string): BoundedMap<string, StoredMessage> | undefined {
    const guildChannel = this.#channels.get(channelId);
    if (guildChannel) return guildChannel;
    this.#dmChannels.prune();
    return this.#dmChannels.get(channelId);
  }

  addAttachments(attachments: readonly StoredAttachment[]): void {
    for (const attachment of attachments) this.#attachments.set(attachment.id, attachment);
  }

  attachment(id: string): StoredAttachment | undefined {
    this.#attachments.prune();
    return this.#attachments.get(id);
  }

  get attachmentCount(): number {
    this.#attachments.prune();
    return this.#attachments.size;
  }
}
