import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand } from '../src/router/define.js';
import { loadCommands } from '../src/router/registry.js';
import { type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

/**
 * The one delivery pipeline, through the real bot: a command returns what happened and the router
 * sends it. These commands exist only here, to reach the pipeline's branches a real command
 * reaches only on a bad day.
 */
let lab: LoopLab;

beforeAll(async () => {
  const commands = new Map(await loadCommands());
  commands.set(
    'brokenlive',
    defineCommand({
      definition: { name: 'brokenlive', description: 'a live message whose second frame throws (test only)' },
      demo: false,
      async execute() {
        async function* frames() {
          yield { content: 'frame one' };
          throw new Error('the frame source broke');
        }
        return { type: 'live', frames: frames() };
      },
    }),
  );
  commands.set(
    'frames',
    defineCommand({
      definition: { name: 'frames', description: 'a live message of three frames (test only)' },
      demo: false,
      async execute() {
        async function* frames() {
          for (const n of [1, 2, 3]) {
            yield { content: `frame ${n}` };
            await sleep(50);
          }
        }
        return { type: 'live', frames: frames() };
      },
    }),
  );
  commands.set(
    'slowpicture',
    defineCommand({
      definition: {
        name: 'slowpicture',
        description: 'a reply whose picture takes 400 ms to draw (test only)',
      },
      demo: false,
      async execute() {
        return {
          type: 'message',
          message: { content: 'words first', embeds: [{ title: 'a chart follows' }] },
          picture: {
            name: 'p.png',
            render: async () => {
              await sleep(400);
              return Buffer.from('89504e470d0a1a0a', 'hex');
            },
          },
        };
      },
    }),
  );
  commands.set(
    'slowdemo',
    defineCommand({
      definition: { name: 'slowdemo', description: 'a demo whose picture takes 600 ms to draw (test only)' },
      demo: true,
      async execute() {
        return {
          type: 'message',
          message: { content: 'done', embeds: [{ title: 'work over' }] },
          picture: {
            name: 'p.png',
            render: async () => {
              await sleep(600);
              return Buffer.from('89504e470d0a1a0a', 'hex');
            },
          },
        };
      },
    }),
  );
  lab = await startLoopLab({ commands, env: { MAX_CONCURRENT_DEMOS: '1' } });
});

afterAll(async () => {
  await lab?.stop();
});

describe('the delivery pipeline', () => {
  it('apologises in an ephemeral follow-up when a reply was already sent and the rest failed', async () => {
    const view = await lab.api.invoke({ user: 'ivy', command: 'brokenlive', options: {} });
    expect(view.status).toBe('replied');
    const settled = await until(async () => {
      const v = await lab.api.interaction(view.id);
      return v.messages.length >= 2 ? v : null;
    });
    const [first, apology] = settled.messages;
    expect(first!.content).toBe('frame one');
    expect(first!.ephemeral).toBe(false);
    expect(apology!.content).toMatch(/^Sorry, something went wrong on my side/);
    expect(apology!.ephemeral).toBe(true);
    expect(
      lab.logs.some((l) => l.msg === 'could not deliver the answer' && l.interactionId === view.id),
    ).toBe(true);
  });

  it('sends a live message frame by frame: one reply, then one edit per frame, in order', async () => {
    const view = await lab.api.invoke({ user: 'ivy', command: 'frames', options: {} });
    const done = await until(async () => {
      const v = await lab.api.interaction(view.id);
      return v.messages[0]?.content === 'frame 3' ? v : null;
    });
    expect(done.messages).toHaveLength(1);
    expect(done.messages[0]!.edits).toHaveLength(2);
  });

  it('answers first and attaches the picture in a later edit, so drawing never spends the 3 s', async () => {
    const view = await lab.api.invoke({ user: 'ivy', command: 'slowpicture', options: {} });
    // Settled at the reply, before the 400 ms picture: no attachment yet.
    expect(view.status).toBe('replied');
    expect(view.messages[0]!.attachments).toHaveLength(0);
    expect(view.ackedAt! - view.createdAt).toBeLessThan(350);
    const withPicture = await until(async () => {
      const v = await lab.api.interaction(view.id);
      return v.messages[0]!.attachments.length > 0 ? v : null;
    });
    const message = withPicture.messages[0]!;
    expect(message.attachments[0]!.filename).toBe('p.png');
    expect(message.embeds[0]!.image?.url).toBe('attachment://p.png');
    expect(message.content).toBe('words first');
  });

  it("frees a demo's concurrency slot when its work ends, not when its picture has been delivered", async () => {
    // MAX_CONCURRENT_DEMOS is 1 here: while the first demo's picture is still being drawn, its work
    // is over, so a second student's demo is admitted instead of refused.
    const first = await lab.api.invoke({ user: 'jay', command: 'slowdemo', options: {} });
    expect(first.status).toBe('replied');
    expect(first.messages[0]!.attachments).toHaveLength(0);
    const second = await lab.api.invoke({ user: 'kim', command: 'slowdemo', options: {} });
    expect(second.messages[0]!.content).toBe('done');
    expect(second.messages[0]!.ephemeral).toBe(false);
  });
});
