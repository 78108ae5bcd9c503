// The guide keeps these in config.json; environment variables keep the token out of the folder.
export const token = process.env.DISCORD_TOKEN;
export const clientId = process.env.CLIENT_ID;
export const guildId = process.env.GUILD_ID;
/** Another Discord-compatible server (LoopLab's sandbox: `npm run example:doctor`), else Discord's. */
export const api = process.env.DISCORD_API_URL || undefined;
