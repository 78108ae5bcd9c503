/**
 * The sandbox's text channels: read one, read its messages, post to it, and what a bot does next
 * with a message it posted (read it again, edit it, delete it), and "is typing…".
 */
import { ErrorCode, HttpStatus, MessageFetchLimit, MessageFlag } from '../../discord/facts.js';
import { ApiError } from '../http.js';
import { createMessage, editMessage } from '../messages.js';
import type { RouteParams } from '../routing.js';
import type { StoredMessage } from '../stored.js';
import { type RestDependencies, type RestRoute, route } from './route.js';

const CHANNEL_MESSAGE = '/channels/{channel}/messages/{message}';

export function channelRoutes({ world }: RestDependencies): RestRoute[] {
  const unknownChannel = () => new ApiError(HttpStatus.NotFound, ErrorCode.UnknownChannel);
  /** A message of the channel as the channel shows it (an ephemeral one belongs to one user's view). */
  const channelMessage = (params: RouteParams): StoredMessage => {
    const channelId = params.channel ?? '';
    if (!world.hasChannel(channelId)) throw unknownChannel();
    const message = world.messages.get(params.message ?? '');
    if (
      !message ||
      message.deleted ||
      message.channelId !== channelId ||
      message.flags & MessageFlag.Ephemeral
    ) {
      throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownMessage);
    }
    return message;
  };
  return [
    route('GET', '/channels/{channel}', true, ({ params }) => {
      if (!world.hasChannel(params.channel ?? '')) throw unknownChannel();
      return { status: HttpStatus.Ok, body: world.channelPayloadFor(params.channel ?? '') };
    }),
    route('GET', '/channels/{channel}/messages', true, ({ params, query }) => {
      const messages = world.messages.inChannel(params.channel ?? '');
      if (!messages) throw unknownChannel();
      const asked = Number(query.get('limit') ?? MessageFetchLimit.default) || MessageFetchLimit.default;
      const limit = Math.min(MessageFetchLimit.max, Math.max(1, asked));
      // Ephemeral messages belong to one user's view of an interaction, never to the channel.
      const visible = messages.filter((m) => !m.deleted && !(m.flags & MessageFlag.Ephemeral));
      return {
        status: HttpStatus.Ok,
        body: visible
          .slice(-limit)
          .reverse()
          .map((m) => world.messagePayload(m)),
      };
    }),
    route('POST', '/channels/{channel}/messages', true, ({ params, body }) => {
      const channelId = params.channel ?? '';
      if (!world.hasChannel(channelId)) throw unknownChannel();
      const json = body.json as { flags?: number } | undefined;
      if (json && typeof json === 'object') json.flags = 0; // ephemeral is for interaction responses only
      const message = createMessage(world, { channelId, author: world.bot, body: json, files: body.files });
      return { status: HttpStatus.Ok, body: world.messagePayload(message) };
    }),
    // discord.py fetch_message, oceanic.js getMessage, @discordjs/core channels.getMessage.
    route('GET', CHANNEL_MESSAGE, true, ({ params }) => ({
      status: HttpStatus.Ok,
      body: world.messagePayload(channelMessage(params)),
    })),
    // Every message in the sandbox's channels is the bot's (users only send interactions).
    route('PATCH', CHANNEL_MESSAGE, true, ({ params, body }) => {
      const message = editMessage(world, channelMessage(params), body.json, body.files);
      return { status: HttpStatus.Ok, body: world.messagePayload(message) };
    }),
    route('DELETE', CHANNEL_MESSAGE, true, ({ params }) => {
      channelMessage(params).deleted = true;
      return { status: HttpStatus.NoContent };
    }),
    // discord.py `async with channel.typing()`, oceanic.js sendTyping, @discordjs/core showTyping.
    route('POST', '/channels/{channel}/typing', true, ({ params }) => {
      if (!world.hasChannel(params.channel ?? '')) throw unknownChannel();
      return { status: HttpStatus.NoContent };
    }),
  ];
}
