/**
 * `npm run invite`: prints the OAuth2 URL that adds LoopLab to a server, with the smallest set of
 * permissions it uses, and says what each one is for.
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config/env.js';
import { Permission } from '../discord/facts.js';

export const INVITE_PERMISSIONS = [
  { name: 'View Channel', bit: Permission.ViewChannel, why: 'see the channel it posts in' },
  { name: 'Send Messages', bit: Permission.SendMessages, why: 'explain in the channel when a token expired' },
  { name: 'Embed Links', bit: Permission.EmbedLinks, why: 'show reports as embeds in those messages' },
  { name: 'Attach Files', bit: Permission.AttachFiles, why: 'attach the timeline pictures' },
] as const;

export function invitePermissions(): bigint {
  return INVITE_PERMISSIONS.reduce((all, p) => all | p.bit, 0n);
}

export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot+applications.commands&permissions=${invitePermissions()}`;
}

/** A bot token's first part is the base64 of the bot's user id, which equals the application id. */
export function applicationIdFromToken(token: string): string | null {
  const head = token.split('.')[0] ?? '';
  const decoded = Buffer.from(head, 'base64').toString('utf8');
  return /^\d{17,20}$/.test(decoded) ? decoded : null;
}

function main(): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const applicationId =
    config.applicationId ?? (config.discordToken ? applicationIdFromToken(config.discordToken) : null);
  if (!applicationId) {
    console.error(
      'Set DISCORD_APPLICATION_ID (Developer Portal → your app → General Information → Application ID), or DISCORD_TOKEN, to build the invite link.',
    );
    process.exit(2);
  }
  console.log(`Invite LoopLab to a server you manage:

  ${inviteUrl(applicationId)}

Scopes: bot (join the server) + applications.commands (its slash commands).
Permissions (${invitePermissions()}), only what it uses:
${INVITE_PERMISSIONS.map((p) => `  - ${p.name} (${p.bit}): to ${p.why}`).join('\n')}

Replies to slash commands need no permission at all; the ones above are for the channel
messages that explain an expired interaction. Then run \`npm run deploy\` with GUILD_ID set for
instant commands in a test or classroom server.`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
