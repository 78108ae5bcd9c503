/** What the sandbox keeps of users, messages and files: the API shapes plus what lessons need. */
import type { APIEmbed, APIMessageTopLevelComponent } from 'discord-api-types/v10';
import type { History } from './bounds.js';

/** A user of the sandbox as Discord's API shows it (every field the spec requires). */
export interface SandboxUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  public_flags: number;
  flags: number;
  primary_guild: null;
  bot?: boolean;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A message as the sandbox keeps it: the API shape plus what lessons need (edit history). */
export interface StoredMessage {
  id: string;
  channelId: string;
  author: SandboxUser;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  attachments: StoredAttachment[];
  flags: number;
  createdAt: number;
  editedAt: number | null;
  /** Sandbox-clock times of its edits, oldest first: a ticker's frozen seconds show up here. */
  edits: History<number>;
  interactionId: string | null;
  webhookId: string | null;
  mentions: SandboxUser[];
  deleted: boolean;
}
