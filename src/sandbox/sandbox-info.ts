/** Where a running sandbox listens and what it is called: what its starter gets back. */
export interface SandboxInfo {
  baseUrl: string;
  restUrl: string;
  apiUrl: string;
  gatewayUrl: string;
  botToken: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  /** Every guild (the first is guildId) with its #general and the shard its events go to. */
  guilds?: Array<{ id: string; channelId: string; shard: number }>;
  /** The shard count GET /gateway/bot recommends. */
  shards?: number;
  /** How far apart two IDENTIFYs of one bucket must be (0: not throttled). */
  identifyIntervalMs?: number;
}
