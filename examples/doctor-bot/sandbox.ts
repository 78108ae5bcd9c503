/**
 * `npm run example:doctor`: runs this plain bot against LoopLab's Discord sandbox (its own thread,
 * 127.0.0.1), so no Discord account is needed, and prints how to act as a user.
 */
import { startSandboxThread } from '../../src/sandbox/thread.js';

const sandbox = await startSandboxThread({ recordResponses: true });
process.env.DISCORD_TOKEN = sandbox.botToken;
process.env.DISCORD_API_URL = sandbox.apiUrl;
process.env.CLIENT_ID = sandbox.applicationId;
process.env.GUILD_ID = sandbox.guildId;
await import('./deploy-commands.js');
await import('./index.js');
const invoke = (body: string) =>
  `curl -s -XPOST '${sandbox.baseUrl}/sandbox/invoke?wait=settled' -H 'content-type: application/json' -d '${body}'`;
console.log(`Sandbox: ${sandbox.baseUrl} (the classroom page shows Discord's side: ${sandbox.baseUrl}/classroom)
  ${invoke('{"user":"alice","command":"crunch","options":{"ms":4000}}')}
  ${invoke('{"user":"bob","command":"weather"}')}
  ${invoke('{"user":"carol","command":"ping","ackedElsewhere":true}')}`);
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
