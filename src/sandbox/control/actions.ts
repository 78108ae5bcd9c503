/** Acting as Discord's users: send a slash command, several on a schedule, or press a button. */
import { HttpStatus } from '../../discord/facts.js';
import type { InteractionRecord } from '../interaction-store.js';
import {
  InvocationError,
  type InvokeRequest,
  injectRaw,
  invokeCommand,
  pressButton,
} from '../invocations.js';
import { interactionView } from '../views.js';
import {
  type ControlContext,
  type ControlDependencies,
  type ControlReply,
  type ControlRoute,
  refuse,
  reply,
  route,
  waitMs,
} from './route.js';

export interface ScenarioStep extends InvokeRequest {
  /** When to send it, in ms after the scenario starts (the sandbox's own timer: exact even while the bot is blocked). */
  afterMs?: number;
}

/** A scenario's size and length: enough for any lesson, not a way to queue work for an hour. */
const MAX_SCENARIO_STEPS = 50;
const MAX_STEP_DELAY_MS = 60_000;
/** Raw interactions one batch may carry: a fuzz test sends thousands, a few requests at a time. */
const MAX_RAW_BATCH = 1_000;

export function actionRoutes(deps: ControlDependencies): ControlRoute[] {
  const { world, interactions } = deps;

  /** 201 with the new id at once, or (`?wait=settled`) the interaction once it settles. */
  const answer = async (ctx: ControlContext, record: InteractionRecord): Promise<ControlReply> => {
    if (ctx.url.searchParams.get('wait') === 'settled') {
      await interactions.waitSettled(record, waitMs(ctx.url));
      return reply(HttpStatus.Ok, interactionView(world, interactions, record));
    }
    return reply(HttpStatus.Created, {
      id: record.id,
      createdAt: record.createdAt,
      deadlineAt: record.deadlineAt,
    });
  };

  return [
    route('POST', '/sandbox/invoke', async (ctx) => {
      const body = (await ctx.json()) as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object') {
        return refuse(
          HttpStatus.BadRequest,
          'send a JSON body like {"user":"alice","command":"block","options":{"ms":4000}}',
        );
      }
      const record = invokeCommand(world, interactions, {
        user: body.user as string,
        command: body.command as string,
        options: body.options as Record<string, unknown> | undefined,
        validate: body.validate as boolean | undefined,
        ackedElsewhere: body.ackedElsewhere === true,
        permissions: body.permissions as string | undefined,
        teacher: body.teacher as boolean | undefined,
        dm: body.dm as boolean | undefined,
        guild: body.guild as string | number | undefined,
      });
      return answer(ctx, record);
    }),

    // Any JSON at all: dispatched as INTERACTION_CREATE as given (id, token, application_id aside).
    route('POST', '/sandbox/interactions/raw', async (ctx) => {
      const body = await ctx.json();
      if (body === undefined) {
        return refuse(HttpStatus.BadRequest, 'send the interaction payload as the JSON body (any JSON)');
      }
      let payload = body;
      let keep = ctx.url.searchParams.get('keep') === 'true';
      if (isObject(body) && 'keep' in body && typeof body.keep === 'boolean') {
        // The flag is the sandbox's, not part of the interaction.
        const { keep: flag, ...rest } = body;
        keep ||= flag;
        payload = rest;
      }
      return answer(ctx, injectRaw(world, interactions, payload, keep));
    }),

    route('POST', '/sandbox/interactions/raw/batch', async (ctx) => {
      const body = (await ctx.json()) as { interactions?: unknown; keep?: unknown } | undefined;
      const list = body?.interactions;
      if (!Array.isArray(list) || list.length > MAX_RAW_BATCH) {
        return refuse(
          HttpStatus.BadRequest,
          `send {"interactions":[…payloads…]} (at most ${MAX_RAW_BATCH}), and "keep":true to keep their ids and tokens`,
        );
      }
      const keep = body?.keep === true;
      const ids: Array<string | null> = [];
      const errors: Array<{ index: number; error: string }> = [];
      list.forEach((payload, index) => {
        try {
          ids.push(injectRaw(world, interactions, payload, keep).id);
        } catch (error) {
          if (!(error instanceof InvocationError)) throw error;
          ids.push(null);
          errors.push({ index, error: error.message });
        }
      });
      return reply(HttpStatus.Created, { ids, errors });
    }),

    route('POST', '/sandbox/scenario', async (ctx) => {
      const body = (await ctx.json()) as { steps?: unknown } | undefined;
      const steps = body?.steps;
      if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_SCENARIO_STEPS) {
        return refuse(
          HttpStatus.BadRequest,
          `send {"steps":[{"afterMs":0,"user":"alice","command":"block","options":{"ms":2000}}, …]} (1-${MAX_SCENARIO_STEPS} steps)`,
        );
      }
      const created = await runScenario(deps, steps as ScenarioStep[]);
      return reply(HttpStatus.Ok, { interactions: created });
    }),

    route('POST', '/sandbox/click', async (ctx) => {
      const body = (await ctx.json()) as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object') {
        return refuse(HttpStatus.BadRequest, 'send {"user":"alice","messageId":"…","customId":"…"}');
      }
      const record = pressButton(world, interactions, {
        user: body.user as string,
        messageId: String(body.messageId ?? ''),
        customId: String(body.customId ?? ''),
      });
      return answer(ctx, record);
    }),
  ];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sends several commands at set offsets, timed on the sandbox's thread. */
async function runScenario(
  { world, interactions }: ControlDependencies,
  steps: ScenarioStep[],
): Promise<Array<{ id: string; createdAt: number; user: string; command: string }>> {
  for (const [i, step] of steps.entries()) {
    const after = step.afterMs ?? 0;
    if (typeof after !== 'number' || !Number.isFinite(after) || after < 0 || after > MAX_STEP_DELAY_MS) {
      throw new InvocationError(`step ${i}: "afterMs" must be 0-${MAX_STEP_DELAY_MS}`);
    }
  }
  const started = Date.now();
  const ordered = [...steps].sort((a, b) => (a.afterMs ?? 0) - (b.afterMs ?? 0));
  const created: Array<{ id: string; createdAt: number; user: string; command: string }> = [];
  for (const step of ordered) {
    const wait = started + (step.afterMs ?? 0) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const record = invokeCommand(world, interactions, step);
    created.push({
      id: record.id,
      createdAt: record.createdAt,
      user: record.user.username,
      command: step.command,
    });
  }
  return created;
}
