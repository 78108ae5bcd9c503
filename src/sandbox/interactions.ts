import { EventEmitter } from 'node:events';
import type {
  APIApplicationCommand,
  APIApplicationCommandInteractionDataOption,
  APIInteraction,
} from 'discord-api-types/v10';
import { ApplicationCommandOptionType, ComponentType, InteractionType } from 'discord-api-types/v10';
import { INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS } from '../discord/facts.js';
import { randomToken } from './ids.js';
import type { SandboxUser, SandboxWorld, StoredMessage } from './world.js';

export type InteractionStatus = 'pending' | 'replied' | 'deferred' | 'failed';

/** Something the sandbox refused, kept so a learner (and a test) can see exactly what Discord said. */
export interface Refusal {
  at: number;
  method: string;
  route: string;
  status: number;
  code: number;
  message: string;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  user: SandboxUser;
  command: string | null;
  options: Record<string, string | number | boolean>;
  customId: string | null;
  sourceMessageId: string | null;
  channelId: string;
  createdAt: number;
  deadlineAt: number;
  expiresAt: number;
  status: InteractionStatus;
  callbackType: number | null;
  ackedAt: number | null;
  ackedElsewhere: boolean;
  failedAt: number | null;
  originalMessageId: string | null;
  originalEdited: boolean;
  followUpIds: string[];
  refusals: Refusal[];
  payload: APIInteraction;
  /** This machine's time at creation (the sandbox clock may be offset or jumped). */
  createdRealAt: number;
}

/** What the control API shows for one interaction. */
export interface InteractionView {
  id: string;
  type: 'command' | 'component';
  user: string;
  userId: string;
  command: string | null;
  options: Record<string, string | number | boolean>;
  customId: string | null;
  status: InteractionStatus;
  settled: boolean;
  createdAt: number;
  deadlineAt: number;
  expiresAt: number;
  ackedAt: number | null;
  ackedElsewhere: boolean;
  callbackType: number | null;
  failedAt: number | null;
  messages: MessageView[];
  refusals: Refusal[];
}

export interface MessageView {
  id: string;
  channelId: string;
  author: string;
  authorId: string;
  bot: boolean;
  content: string;
  embeds: StoredMessage['embeds'];
  components: StoredMessage['components'];
  attachments: Array<{ id: string; filename: string; contentType: string; size: number; url: string }>;
  flags: number;
  ephemeral: boolean;
  createdAt: number;
  editedAt: number | null;
  edits: number[];
  interactionId: string | null;
}

export class InvocationError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface InvokeRequest {
  user: string;
  command: string;
  options?: Record<string, unknown>;
  /** Skip validation against the registered commands, as a stale or hostile client might. */
  validate?: boolean;
  /** Another client already acknowledged it: the bot's callback gets 40060. */
  ackedElsewhere?: boolean;
}

export interface ClickRequest {
  user: string;
  messageId: string;
  customId: string;
}

/**
 * Interactions and their deadlines. The 3-second timer runs on the sandbox's own thread, so an
 * interaction is marked failed on time even while the bot's event loop is blocked.
 */
export class InteractionStore extends EventEmitter {
  readonly byId = new Map<string, InteractionRecord>();
  readonly byToken = new Map<string, InteractionRecord>();
  readonly #timers = new Set<NodeJS.Timeout>();

  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly world: SandboxWorld) {
    super();
    this.setMaxListeners(0);
    // Forget interactions well after their token expired: nothing can use them any more.
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  /**
   * Forgets interactions that are past their token lifetime both by the sandbox clock and in real
   * time, so a clock jump in a test does not turn an expired token (50027) into an unknown one.
   */
  sweep(keepAfterExpiryMs = 5 * 60_000): number {
    const now = this.world.clock.now();
    const realHorizon = Date.now() - INTERACTION_TOKEN_LIFETIME_MS - keepAfterExpiryMs;
    let removed = 0;
    for (const record of this.byId.values()) {
      if (now > record.expiresAt + keepAfterExpiryMs && record.createdRealAt < realHorizon) {
        this.byId.delete(record.id);
        this.byToken.delete(record.token);
        removed++;
      }
    }
    return removed;
  }

  /** After a clock change: fail what is now late, and re-arm the rest for the new "now". */
  clockChanged(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const record of this.byId.values()) {
      if (record.status === 'pending') this.#armDeadline(record);
    }
  }

  invoke(request: InvokeRequest): InteractionRecord {
    const name = String(request.command ?? '')
      .replace(/^\//, '')
      .trim();
    if (!name) throw new InvocationError('"command" is required, e.g. "block"');
    if (!request.user || typeof request.user !== 'string') {
      throw new InvocationError('"user" is required, e.g. "alice"');
    }
    if (!/^[\w.-]{1,32}$/.test(request.user)) {
      throw new InvocationError('"user" must be 1-32 letters, digits, "_", "." or "-"');
    }
    const registered = this.world.findCommand(name);
    const validate = request.validate !== false;
    if (!registered && validate) {
      const known = [...this.world.guildCommands.values(), ...this.world.globalCommands.values()]
        .map((c) => `/${c.name}`)
        .join(', ');
      throw new InvocationError(
        `no command /${name} is registered${known ? ` (registered: ${known})` : ' (the bot has registered none yet)'}`,
        404,
      );
    }
    const rawOptions = request.options ?? {};
    if (typeof rawOptions !== 'object' || Array.isArray(rawOptions)) {
      throw new InvocationError('"options" must be an object, e.g. { "ms": 4000 }');
    }
    const options =
      registered && validate ? validateOptions(registered, rawOptions) : looseOptions(rawOptions);
    return this.#create(
      request.user,
      {
        type: InteractionType.ApplicationCommand,
        command: name,
        options: options.values,
        customId: null,
        sourceMessageId: null,
        channelId: this.world.channelId,
        ackedElsewhere: request.ackedElsewhere === true,
      },
      {
        data: {
          id: registered?.id ?? this.world.ids.next(),
          name,
          type: 1,
          guild_id: registered?.guild_id,
          options: options.list,
        },
      },
    );
  }

  /** A click on a button of a message the bot sent, validated as Discord's client would. */
  click(request: ClickRequest): InteractionRecord {
    if (!request.user || !/^[\w.-]{1,32}$/.test(request.user)) {
      throw new InvocationError('"user" is required, e.g. "alice"');
    }
    const message = this.world.messages.get(String(request.messageId ?? ''));
    if (!message || message.deleted) throw new InvocationError('no such message', 404);
    const button = findButton(message, String(request.customId ?? ''));
    if (!button) throw new InvocationError('that message has no enabled button with this custom_id', 404);
    return this.#create(
      request.user,
      {
        type: InteractionType.MessageComponent,
        command: null,
        options: {},
        customId: request.customId,
        sourceMessageId: message.id,
        channelId: message.channelId,
        ackedElsewhere: false,
      },
      {
        message: this.world.messagePayload(message),
        data: { custom_id: request.customId, component_type: ComponentType.Button },
      },
    );
  }

  /** A new interaction by `userName` (created on first use), timed by the sandbox clock. */
  #create(
    userName: string,
    details: Pick<
      InteractionRecord,
      'type' | 'command' | 'options' | 'customId' | 'sourceMessageId' | 'channelId' | 'ackedElsewhere'
    >,
    payloadFields: Record<string, unknown>,
  ): InteractionRecord {
    if (!this.world.canAddUser(userName)) {
      throw new InvocationError('the sandbox already has its maximum of users; reuse a name', 429);
    }
    const user = this.world.userNamed(userName);
    const createdAt = this.world.clock.now();
    const id = this.world.ids.next(createdAt);
    const token = randomToken('aW50ZXJhY3Rpb24');
    const payload = {
      ...this.#basePayload(id, token, user),
      type: details.type,
      ...payloadFields,
    } as unknown as APIInteraction;
    return this.#add({
      id,
      token,
      user,
      ...details,
      createdAt,
      deadlineAt: createdAt + INITIAL_RESPONSE_DEADLINE_MS,
      expiresAt: createdAt + INTERACTION_TOKEN_LIFETIME_MS,
      // Acknowledged by another client already: the bot's callback will get 40060.
      status: details.ackedElsewhere ? 'replied' : 'pending',
      callbackType: null,
      ackedAt: details.ackedElsewhere ? createdAt : null,
      failedAt: null,
      originalMessageId: null,
      originalEdited: false,
      followUpIds: [],
      refusals: [],
      payload,
      createdRealAt: Date.now(),
    });
  }

  /** Marks a still-pending interaction failed if its deadline has passed (by the sandbox clock). */
  expireIfLate(record: InteractionRecord): void {
    if (record.status === 'pending' && this.world.clock.now() > record.deadlineAt) {
      record.status = 'failed';
      record.failedAt = this.world.clock.now();
      this.changed(record);
    }
  }

  changed(record: InteractionRecord): void {
    this.emit('change', record);
  }

  isSettled(record: InteractionRecord): boolean {
    if (record.status === 'failed' || record.status === 'replied') return true;
    return record.status === 'deferred' && record.originalEdited;
  }

  /** Resolves when the interaction settles (or after `timeoutMs`), with its view. */
  waitSettled(record: InteractionRecord, timeoutMs: number): Promise<InteractionRecord> {
    if (this.isSettled(record)) return Promise.resolve(record);
    return new Promise((resolve) => {
      const onChange = (changed: InteractionRecord) => {
        if (changed === record && this.isSettled(record)) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.off('change', onChange);
        resolve(record);
      };
      const timer = setTimeout(done, timeoutMs);
      this.on('change', onChange);
    });
  }

  view(record: InteractionRecord): InteractionView {
    const messageIds = [...new Set([record.originalMessageId, ...record.followUpIds])].filter(
      (id): id is string => id !== null,
    );
    return {
      id: record.id,
      type: record.type === InteractionType.MessageComponent ? 'component' : 'command',
      user: record.user.username,
      userId: record.user.id,
      command: record.command,
      options: record.options,
      customId: record.customId,
      status: record.status,
      settled: this.isSettled(record),
      createdAt: record.createdAt,
      deadlineAt: record.deadlineAt,
      expiresAt: record.expiresAt,
      ackedAt: record.ackedAt,
      ackedElsewhere: record.ackedElsewhere,
      callbackType: record.callbackType,
      failedAt: record.failedAt,
      messages: messageIds
        .map((id) => this.world.messages.get(id))
        .filter((m): m is StoredMessage => m !== undefined && !m.deleted)
        .map((m) => messageView(this.world, m)),
      refusals: record.refusals,
    };
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #add(record: InteractionRecord): InteractionRecord {
    this.byId.set(record.id, record);
    this.byToken.set(record.token, record);
    this.#armDeadline(record);
    this.emit('created', record);
    return record;
  }

  /** The 3 s timer, in real time on this thread; re-armed if the clock moved and it is not due yet. */
  #armDeadline(record: InteractionRecord): void {
    this.expireIfLate(record);
    if (record.status !== 'pending') return;
    // +1 ms so a callback landing exactly on the deadline still counts as on time.
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        this.#armDeadline(record);
      },
      Math.max(0, record.deadlineAt - this.world.clock.now() + 1),
    );
    this.#timers.add(timer);
  }

  #basePayload(id: string, token: string, user: SandboxUser) {
    const world = this.world;
    return {
      id,
      application_id: world.applicationId,
      token,
      version: 1,
      guild_id: world.guildId,
      guild: { id: world.guildId, locale: 'en-US', features: [] },
      channel_id: world.channelId,
      channel: world.channelPayload(),
      member: { ...world.memberPayload(user), permissions: '2248473465835073' },
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': world.guildId },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
    };
  }
}

export function messageView(world: SandboxWorld, m: StoredMessage): MessageView {
  return {
    id: m.id,
    channelId: m.channelId,
    author: m.author.username,
    authorId: m.author.id,
    bot: m.author.bot === true,
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.data.length,
      url: world.attachmentUrl(a),
    })),
    flags: m.flags,
    ephemeral: (m.flags & 64) !== 0,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    edits: m.edits,
    interactionId: m.interactionId,
  };
}

function findButton(message: StoredMessage, customId: string): boolean {
  for (const row of message.components) {
    const children = (row as { components?: Array<{ type: number; custom_id?: string; disabled?: boolean }> })
      .components;
    for (const child of children ?? []) {
      if (child.type === ComponentType.Button && child.custom_id === customId && !child.disabled) return true;
    }
  }
  return false;
}

type OptionValue = string | number | boolean;

function looseOptions(raw: Record<string, unknown>) {
  const values: Record<string, OptionValue> = {};
  const list: APIApplicationCommandInteractionDataOption[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'number') {
      values[name] = value;
      const type = Number.isInteger(value)
        ? ApplicationCommandOptionType.Integer
        : ApplicationCommandOptionType.Number;
      list.push({ name, type, value } as APIApplicationCommandInteractionDataOption);
    } else if (typeof value === 'boolean') {
      values[name] = value;
      list.push({ name, type: ApplicationCommandOptionType.Boolean, value });
    } else if (typeof value === 'string') {
      values[name] = value;
      list.push({ name, type: ApplicationCommandOptionType.String, value });
    } else {
      throw new InvocationError(`option "${name}" must be a string, number or boolean`);
    }
  }
  return { values, list };
}

/** Validates options the way Discord's client does before it ever sends the interaction. */
export function validateOptions(command: APIApplicationCommand, raw: Record<string, unknown>) {
  const defs = (command.options ?? []) as Array<{
    name: string;
    type: number;
    required?: boolean;
    min_value?: number;
    max_value?: number;
    min_length?: number;
    max_length?: number;
    choices?: Array<{ name: string; value: string | number }>;
  }>;
  const values: Record<string, OptionValue> = {};
  const list: APIApplicationCommandInteractionDataOption[] = [];
  for (const name of Object.keys(raw)) {
    if (!defs.some((d) => d.name === name)) {
      const known = defs.map((d) => d.name).join(', ') || 'none';
      throw new InvocationError(`/${command.name} has no option "${name}" (options: ${known})`);
    }
  }
  for (const def of defs) {
    const given = raw[def.name];
    if (given === undefined || given === null || given === '') {
      if (def.required) throw new InvocationError(`/${command.name} needs option "${def.name}"`);
      continue;
    }
    const value = coerce(command.name, def, given);
    if (def.choices?.length && !def.choices.some((c) => c.value === value)) {
      const allowed = def.choices.map((c) => JSON.stringify(c.value)).join(', ');
      throw new InvocationError(`option "${def.name}" must be one of ${allowed}`);
    }
    if (typeof value === 'number') {
      if (def.min_value !== undefined && value < def.min_value) {
        throw new InvocationError(`option "${def.name}" must be at least ${def.min_value}`);
      }
      if (def.max_value !== undefined && value > def.max_value) {
        throw new InvocationError(`option "${def.name}" must be at most ${def.max_value}`);
      }
    }
    if (typeof value === 'string') {
      if (def.min_length !== undefined && value.length < def.min_length) {
        throw new InvocationError(`option "${def.name}" must be at least ${def.min_length} characters`);
      }
      if (def.max_length !== undefined && value.length > def.max_length) {
        throw new InvocationError(`option "${def.name}" must be at most ${def.max_length} characters`);
      }
    }
    values[def.name] = value;
    list.push({ name: def.name, type: def.type, value } as APIApplicationCommandInteractionDataOption);
  }
  return { values, list };
}

function coerce(command: string, def: { name: string; type: number }, given: unknown): OptionValue {
  const where = `option "${def.name}" of /${command}`;
  switch (def.type) {
    case ApplicationCommandOptionType.Integer: {
      const n = typeof given === 'string' ? Number(given) : given;
      if (typeof n !== 'number' || !Number.isSafeInteger(n))
        throw new InvocationError(`${where} must be an integer`);
      return n;
    }
    case ApplicationCommandOptionType.Number: {
      const n = typeof given === 'string' ? Number(given) : given;
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw new InvocationError(`${where} must be a number`);
      return n;
    }
    case ApplicationCommandOptionType.Boolean: {
      if (given === true || given === 'true') return true;
      if (given === false || given === 'false') return false;
      throw new InvocationError(`${where} must be true or false`);
    }
    case ApplicationCommandOptionType.String:
      if (typeof given !== 'string') throw new InvocationError(`${where} must be a string`);
      return given;
    default:
      throw new InvocationError(`${where} has a type the sandbox does not support (${def.type})`);
  }
}
