/**
 * /classroom — a teacher's controls for this server: see the settings in force, change limits,
 * pause and resume the demos. Needs Manage Server: Discord hides it from others by default, and the
 * bot checks again when it runs (a server can override who sees a command).
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { ContextType, Permission } from '../src/discord/facts.js';
import { classroomMessage } from '../src/report/classroom-report.js';
import { defineCommand } from '../src/router/define.js';

const { Subcommand, Integer } = ApplicationCommandOptionType;

const ephemeral = (content: string) => ({ type: 'message', message: { content, ephemeral: true } }) as const;

export default defineCommand({
  definition: {
    name: 'classroom',
    description: 'Teacher controls for LoopLab in this server: limits, cooldown, budget, pause',
    default_member_permissions: Permission.ManageGuild.toString(),
    contexts: [ContextType.Guild],
    options: [
      { type: Subcommand, name: 'show', description: 'The settings in force here, and where each came from' },
      {
        type: Subcommand,
        name: 'set',
        description: 'Change this server’s limits (give at least one)',
        options: [
          {
            type: Integer,
            name: 'max_ms',
            description: 'Longest demo, in ms',
            min_value: 100,
            max_value: 60_000,
          },
          {
            type: Integer,
            name: 'cooldown_s',
            description: 'Seconds each person waits after their demo ends (0: none)',
            min_value: 0,
            max_value: 3_600,
          },
          {
            type: Integer,
            name: 'budget_s',
            description: 'Seconds of main-thread blocking the class may use per minute (60: no limit)',
            min_value: 0,
            max_value: 60,
          },
          {
            type: Integer,
            name: 'concurrent',
            description: 'Demos that may run at once',
            min_value: 1,
            max_value: 100,
          },
        ],
      },
      {
        type: Subcommand,
        name: 'pause',
        description: 'Refuse demos until resumed (/explain and /lag still work)',
      },
      { type: Subcommand, name: 'resume', description: 'Allow demos again' },
    ],
  },
  demo: false,
  async execute(run) {
    const { guildId } = run;
    if (!guildId) return ephemeral('`/classroom` works in a server, where it sets that server’s limits.');
    if (run.memberPermissions === null || (run.memberPermissions & Permission.ManageGuild) === 0n) {
      return ephemeral(
        'Only members with **Manage Server** can change the classroom settings. Ask a teacher.',
      );
    }
    const { classroom, config } = run.ctx;
    const answer = async (line: string, settings = classroom.settings(guildId)) =>
      ({
        type: 'message',
        message: classroomMessage(
          line,
          await settings,
          classroom.policy.spentBy(guildId),
          classroom.policy.runningIn(guildId),
        ),
      }) as const;
    const by = run.user.id;
    const { args } = run;
    switch (args.subcommand) {
      case 'show':
        return answer('');
      case 'pause':
        return answer('⏸️ Demos are paused in this server.', classroom.update(guildId, { paused: true }, by));
      case 'resume':
        return answer('▶️ Demos are running again.', classroom.update(guildId, { paused: false }, by));
      case 'set': {
        const { max_ms, cooldown_s, budget_s, concurrent } = args;
        if ([max_ms, cooldown_s, budget_s, concurrent].every((v) => v === undefined)) {
          return ephemeral('Give at least one of `max_ms`, `cooldown_s`, `budget_s` or `concurrent`.');
        }
        if (max_ms !== undefined && max_ms > config.maxBlockMs) {
          return ephemeral(
            `\`max_ms\` can be at most ${config.maxBlockMs} here: that is the operator’s ceiling (MAX_BLOCK_MS), which Discord’s own form enforces too.`,
          );
        }
        const patch = {
          ...(max_ms !== undefined ? { maxMs: max_ms } : {}),
          ...(cooldown_s !== undefined ? { cooldownMs: cooldown_s * 1_000 } : {}),
          ...(budget_s !== undefined ? { budgetMs: budget_s * 1_000 } : {}),
          ...(concurrent !== undefined ? { concurrent } : {}),
        };
        return answer(
          '✅ Saved: in force now, and kept across restarts.',
          classroom.update(guildId, patch, by),
        );
      }
    }
  },
});
