/** Reading what Discord would show: interactions, channel messages, files, REST responses, gateway events. */
import { HttpStatus } from '../../discord/facts.js';
import { interactionLine, interactionView, messageView } from '../views.js';
import { type ControlDependencies, type ControlRoute, refuse, reply, route, waitMs } from './route.js';

/** GET /sandbox/interactions: 100 by default, 500 at most (`?limit=`). */
const DEFAULT_LIST = 100;
const MAX_LIST = 500;
/** Ids one summary may ask about: as many as the sandbox remembers. */
const MAX_SUMMARY_IDS = 5_000;

export function inspectRoutes({
  world,
  interactions,
  gateway,
  recorder,
  exposeTokens,
}: ControlDependencies): ControlRoute[] {
  /** Counts by status and delivery; with ids, one line for each of them too. */
  const summary = (ids: string[] | undefined) => {
    if (ids && (ids.length > MAX_SUMMARY_IDS || ids.some((id) => typeof id !== 'string'))) {
      return refuse(HttpStatus.BadRequest, `"ids" must be at most ${MAX_SUMMARY_IDS} interaction ids`);
    }
    const counts = interactions.summary(ids);
    if (!ids) return reply(HttpStatus.Ok, counts);
    const lines = ids.flatMap((id) => {
      const record = interactions.get(id);
      return record ? [interactionLine(world, interactions, record)] : [];
    });
    return reply(HttpStatus.Ok, { ...counts, interactions: lines });
  };
  const tokenRoutes = exposeTokens
    ? [route('GET', '/sandbox/tokens', () => reply(HttpStatus.Ok, { tokens: interactions.tokens() }))]
    : [];

  return [
    ...tokenRoutes,
    route('GET', '/sandbox/interactions/summary', ({ url }) => {
      const asked = url.searchParams.get('ids');
      return summary(asked === null ? undefined : asked.split(',').filter(Boolean));
    }),
    route('POST', '/sandbox/interactions/summary', async (ctx) => {
      const body = (await ctx.json()) as { ids?: unknown } | undefined;
      if (!Array.isArray(body?.ids)) return refuse(HttpStatus.BadRequest, 'send {"ids":["…", …]}');
      return summary(body.ids as string[]);
    }),

    route('GET', '/sandbox/interactions', ({ url }) => {
      const asked = Math.trunc(Number(url.searchParams.get('limit') ?? DEFAULT_LIST)) || DEFAULT_LIST;
      const limit = Math.min(MAX_LIST, Math.max(1, asked));
      return reply(
        HttpStatus.Ok,
        interactions.recent(limit).map((r) => interactionView(world, interactions, r)),
      );
    }),

    route('GET', '/sandbox/interactions/{id}', async ({ url, params }) => {
      const id = params.id ?? '';
      const record = interactions.get(id);
      if (!record) return refuse(HttpStatus.NotFound, `no interaction ${id}`);
      interactions.expireIfLate(record);
      if (url.searchParams.get('wait') === 'settled') await interactions.waitSettled(record, waitMs(url));
      return reply(HttpStatus.Ok, interactionView(world, interactions, record));
    }),

    route('GET', '/sandbox/channels/{id}/messages', ({ params }) => {
      const id = params.id ?? '';
      const messages = world.messages.inChannel(id);
      if (!messages) {
        return refuse(HttpStatus.NotFound, `no channel ${id} (the sandbox channel is ${world.channelId})`);
      }
      return reply(
        HttpStatus.Ok,
        messages.filter((m) => !m.deleted).map((m) => messageView(world, m)),
      );
    }),

    route('GET', '/sandbox/messages/{id}', ({ params }) => {
      const message = world.messages.get(params.id ?? '');
      if (!message) return refuse(HttpStatus.NotFound, `no message ${params.id}`);
      return reply(HttpStatus.Ok, messageView(world, message));
    }),

    // The file name is only there so the URL ends like the file (browsers save it under that name).
    route('GET', '/sandbox/attachments/{id}/{name}', ({ params }) => {
      const attachment = world.messages.attachment(params.id ?? '');
      if (!attachment) return refuse(HttpStatus.NotFound, `no attachment ${params.id}`);
      return { status: HttpStatus.Ok, file: { contentType: attachment.contentType, data: attachment.data } };
    }),

    route('GET', '/sandbox/gateway', () =>
      reply(HttpStatus.Ok, {
        connectedSessions: gateway.connectedSessions,
        silencedConnections: gateway.silencedConnections,
        events: gateway.events,
      }),
    ),

    route('GET', '/sandbox/responses', () => {
      if (!recorder) {
        return refuse(HttpStatus.NotFound, 'start the sandbox with recordResponses to keep REST responses');
      }
      return reply(HttpStatus.Ok, recorder.values());
    }),
  ];
}
