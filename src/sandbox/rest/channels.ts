/** The sandbox's text channel: read it, read its messages, post to it. */
import { ErrorCode, HttpStatus, MessageFetchLimit, MessageFlag } from '../../discord/facts.js';
import { ApiError } from '../http.js';
import { createMessage } from '../messages.js';
import { type RestDependencies, type RestRoute, route } from './route.js';

export function channelRoutes({ world }: RestDependencies): RestRoute[] {
  const unknownChannel = () => new ApiError(HttpStatus.NotFound, ErrorCode.UnknownChannel);
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
  ];
}
