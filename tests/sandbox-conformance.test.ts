import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { SandboxClient } from '../src/sandbox/client.js';
import { loadSpecValidator } from './support/openapi.js';
import { startTinyBot, until } from './support/tiny-bot.js';

describe("the sandbox speaks Discord's published API shapes", () => {
  it('serves only bodies that validate against discord-api-spec/openapi.json', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const bot = await startTinyBot({
      reply: (i) => i.reply({ content: 'hello', embeds: [{ title: 'report', description: 'numbers' }] }),
      dmreply: (i) => i.reply({ content: `hello ${i.user.username}, in a DM` }),
      ephemeral: (i) => i.reply({ content: 'only you', flags: MessageFlags.Ephemeral }),
      defer: async (i) => {
        await i.deferReply();
        await i.editReply({ content: 'edited', files: [new AttachmentBuilder(png, { name: 'chart.png' })] });
        const follow = await i.followUp({ content: 'follow-up' });
        await i.webhook.editMessage(follow.id, { content: 'follow-up edited' });
        await i.fetchReply();
        await i.webhook.deleteMessage(follow.id);
      },
      buttons: (i) =>
        i.reply({
          content: 'pick',
          components: [
            new ActionRowBuilder<ButtonBuilder>().addComponents(
              new ButtonBuilder().setCustomId('a').setLabel('A').setStyle(ButtonStyle.Primary),
              new ButtonBuilder().setCustomId('b').setLabel('B').setStyle(ButtonStyle.Secondary),
            ),
          ],
          withResponse: true,
        }),
      modal: (i) =>
        i.showModal(
          new ModalBuilder()
            .setCustomId('m')
            .setTitle('Why?')
            .addComponents(
              new ActionRowBuilder<TextInputBuilder>().addComponents(
                new TextInputBuilder().setCustomId('why').setLabel('Why').setStyle(TextInputStyle.Short),
              ),
            ),
        ),
      late: async (i) => {
        await new Promise((r) => setTimeout(r, 3_200));
        await i.reply('late').catch(() => {});
      },
    });
    const { api, client, sandbox } = bot;
    try {
      client.on(Events.InteractionCreate, async (i) => {
        if (i.isButton() && i.customId === 'a') await i.update({ content: 'picked a', components: [] });
        if (i.isButton() && i.customId === 'b') {
          await i.deferUpdate(); // callback 6
          await i.editReply({ content: 'picked b later' });
        }
      });
      for (const command of ['reply', 'ephemeral', 'defer']) {
        const view = await api.invoke({ user: 'alice', command });
        expect(view.settled).toBe(true);
      }
      const withButtons = await api.invoke({ user: 'alice', command: 'buttons' });
      const later = await api.clickAndSettle('carol', withButtons.messages[0]!.id, 'b');
      expect(later.callbackType).toBe(6);
      expect(later.status).toBe('deferred');
      expect((await api.message(withButtons.messages[0]!.id)).content).toBe('picked b later');
      const clicked = await api.clickAndSettle('bob', withButtons.messages[0]!.id, 'a');
      expect(clicked.callbackType).toBe(7);
      expect(clicked.status).toBe('replied');
      expect((await api.message(withButtons.messages[0]!.id)).content).toBe('picked a');
      const modal = await api.invoke({ user: 'dave', command: 'modal' });
      expect(modal.callbackType).toBe(9);
      expect(modal.status).toBe('replied');
      await api.invoke({ user: 'alice', command: 'late' });
      await until(
        async () => (await api.interaction((await api.interactions()).at(-1)!.id)).refusals.length > 0,
      );
      // Plain REST calls a bot makes; the first one meets a 429 and is retried by @discordjs/rest.
      await api.rateLimit('/users/@me', 200);
      await client.rest.get(Routes.user('@me'));
      await client.rest.get(Routes.currentApplication());
      await client.rest.get(Routes.applicationCommands(sandbox.applicationId));
      await client.rest.get(Routes.applicationGuildCommands(sandbox.applicationId, sandbox.guildId));
      const created = (await client.rest.post(Routes.applicationCommands(sandbox.applicationId), {
        body: { name: 'extra', description: 'an extra global command' },
      })) as { id: string };
      await client.rest.patch(Routes.applicationCommand(sandbox.applicationId, created.id), {
        body: { description: 'patched' },
      });
      await client.rest.get(Routes.applicationCommand(sandbox.applicationId, created.id));
      await client.rest.delete(Routes.applicationCommand(sandbox.applicationId, created.id));
      await client.rest.post(Routes.channelMessages(sandbox.channelId), {
        body: { content: 'to the channel' },
      });
      await client.rest.get(Routes.channelMessages(sandbox.channelId));
      await client.rest.get(Routes.channel(sandbox.channelId)).catch(() => {});
      await client.rest.get(Routes.channelMessages('1')).catch(() => {});
      await fetch(`${sandbox.restUrl}/users/@me`, { headers: { authorization: 'Bot wrong' } });
      await fetch(`${sandbox.restUrl}/gateway/bot`, {
        headers: { authorization: `Bot ${sandbox.botToken}` },
      });
      // A global 429 and Discord's 5xx on the routes a bot answers with: retried, then served.
      await api.rateLimit('/interactions/{id}/{token}/callback', 100, 1, { global: true });
      await api.fault({ route: '/interactions/{id}/{token}/callback', status: 500 });
      await api.fault({ route: '/webhooks/{id}/{token}/messages/@original', status: 503, method: 'PATCH' });
      await api.fault({ route: '/channels/{channel_id}/messages', status: 502, method: 'POST' });
      await api.fault({ route: '/channels/{channel_id}/messages', status: 504, method: 'GET' });
      expect((await api.invoke({ user: 'erin', command: 'defer' })).settled).toBe(true);
      await client.rest.post(Routes.channelMessages(sandbox.channelId), { body: { content: 'after a 502' } });
      await client.rest.get(Routes.channelMessages(sandbox.channelId));
      // A DM: its channel, read and written like any other; and a raw interaction, answered.
      // (validate:false: the tiny bot registers guild commands, which Discord offers in no DM.)
      const dm = await api.invoke({ user: 'dora', command: 'dmreply', dm: true, validate: false });
      await client.rest.get(Routes.channel(dm.channelId));
      await client.rest.post(Routes.channelMessages(dm.channelId), { body: { content: 'in the DM' } });
      const info = await api.info();
      const raw = await api.raw({
        type: 2,
        version: 1,
        guild_id: info.guildId,
        channel_id: info.channelId,
        channel: { id: info.channelId, type: 0 },
        member: {
          user: { id: '1', username: 'raw', discriminator: '0', global_name: null, avatar: null },
          roles: [],
          permissions: '0',
          joined_at: '2026-01-01T00:00:00.000Z',
          deaf: false,
          mute: false,
          flags: 0,
        },
        data: { id: '1', name: 'reply', type: 1 },
        locale: 'en-US',
        app_permissions: '0',
        entitlements: [],
        authorizing_integration_owners: {},
        attachment_size_limit: 1,
      });
      expect((await api.waitSettled(raw.id)).status).toBe('replied');

      const validator = loadSpecValidator();
      const responses = await api.responses();
      expect(responses.length).toBeGreaterThan(20);
      // The spec declares no 5XX on any route: their bodies must still be its Error shape.
      const check = (r: (typeof responses)[number]) =>
        r.status >= 500
          ? validator.checkSchema('Error', r.body)
          : validator.check(r.method, r.path, r.status, r.body);
      const failures = responses
        .map((r) => ({ r, check: check(r) }))
        .filter(({ check }) => !check.ok)
        .map(({ r, check }) => `${r.method} ${r.path} ${r.status}: ${check.errors.join('; ')}`);
      expect(failures).toEqual([]);
      const statuses = new Set(responses.map((r) => r.status));
      for (const status of [200, 201, 204, 401, 404, 429, 500, 502, 503, 504])
        expect(statuses).toContain(status);
      const limited = responses.filter((r) => r.status === 429).map((r) => r.body as { global: boolean });
      expect(limited.map((b) => b.global).sort()).toEqual([false, true]);
      for (const r of responses.filter((x) => x.status >= 500)) {
        expect(r.body).toEqual({ message: expect.stringMatching(new RegExp(`^${r.status}: `)), code: 0 });
      }
      expect(
        responses.some(
          (r) => r.method === 'GET' && r.path === `/channels/${dm.channelId}` && r.status === 200,
        ),
      ).toBe(true);
      const operations = new Set(
        responses.map((r) => validator.check(r.method, r.path, r.status, r.body).operation),
      );
      expect(operations.size).toBeGreaterThanOrEqual(15);
    } finally {
      await bot.stop();
    }
  });

  it('`npm run sandbox` prints a URL and token a stock discord.js bot can use', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/cli.ts'], {
      env: { ...process.env, SANDBOX_PORT: '0', SANDBOX_BOT_TOKEN: 'cli-test-token.abc.def' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    try {
      await until(() => output.includes('Press Ctrl+C'), 20_000, 'the sandbox banner');
      const apiUrl = /API URL:\s+(\S+)/.exec(output)?.[1];
      const baseUrl = /Base URL:\s+(\S+)/.exec(output)?.[1];
      expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
      expect(output).toContain('cli-test-token.abc.def');
      const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: apiUrl! } });
      const ready = once(client, Events.ClientReady);
      await client.login('cli-test-token.abc.def');
      await ready;
      await client.application!.commands.set([{ name: 'hello', description: 'says hello' }]);
      const tokens: string[] = [];
      client.on(Events.InteractionCreate, (i) => {
        tokens.push(i.token);
        if (i.isChatInputCommand()) void i.reply(`hello ${i.user.username}`);
      });
      const view = await new SandboxClient(baseUrl!).invoke({ user: 'zoe', command: 'hello' });
      expect(view.messages[0]?.content).toBe('hello zoe');
      // The banner shows the bot token on purpose (a developer needs it); never an interaction's.
      expect(tokens).toHaveLength(1);
      expect(`${output}${errors}`).not.toContain(tokens[0]);
      await client.destroy();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
