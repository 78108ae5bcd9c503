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
}
