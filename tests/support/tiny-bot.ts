import {
  type ApplicationCommandDataResolvable,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
} from 'discord.js';
import type { SandboxOptions } from '../../src/sandbox/server.js';
import { type SandboxThread, startSandboxThread } from '../../src/sandbox/thread.js';

export type Handler = (interaction: ChatInputCommandInteraction) => Promise<unknown>;

export interface TinyBotCommands {
  /** Guild commands to register instead of one per handler (each with an `ms` option). */
  guild?: ApplicationCommandDataResolvable[];
  /** Global commands (what Discord offers in DMs). */
  global?: ApplicationCommandDataResolvable[];
}

/**
 * A tiny stock discord.js bot for the sandbox's own tests (the LoopLab bot has its own harness):
 * real Client, real REST and gateway, commands registered as any bot would.
 */
export async function startTinyBot(
  handlers: Record<string, Handler>,
  options: SandboxOptions = {},
  commands: TinyBotCommands = {},
) {
  const sandbox: SandboxThread = await startSandboxThread({ recordResponses: true, ...options });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sandbox.apiUrl } });
  const errors: unknown[] = [];
  const received: Array<{ id: string; at: number }> = [];
  const tokens = new Map<string, string>();
  /** Every INTERACTION_CREATE as it came over the gateway, before discord.js parsed it. */
  const packets: Array<Record<string, unknown>> = [];
  client.on(Events.Raw, (packet: { t?: string; d?: unknown }) => {
    if (packet.t === 'INTERACTION_CREATE') packets.push(packet.d as Record<string, unknown>);
  });
  client.on(Events.InteractionCreate, async (interaction) => {
    received.push({ id: interaction.id, at: Date.now() });
    tokens.set(interaction.id, interaction.token);
    if (!interaction.isChatInputCommand()) return;
    try {
      await handlers[interaction.commandName]?.(interaction);
    } catch (error) {
      errors.push(error);
    }
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(sandbox.botToken);
  await ready;
  await client.application?.commands.set(
    commands.guild ??
      Object.keys(handlers).map((name) => ({
        name,
        description: `test command ${name}`,
        options: [{ name: 'ms', description: 'milliseconds', type: 4, min_value: 0, max_value: 20_000 }],
      })),
    sandbox.guildId,
  );
  if (commands.global) await client.application?.commands.set(commands.global);
  return {
    sandbox,
    client,
    errors,
    received,
    tokens,
    packets,
    api: sandbox.client,
    async stop() {
      await client.destroy();
      await sandbox.close();
    },
  };
}

/** Holds the main thread, as a blocking handler would. */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

export async function until<T>(
  probe: () => T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<Awaited<T>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<Awaited<T>>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
