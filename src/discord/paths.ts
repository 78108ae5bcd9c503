/**
 * A Discord API path without its secrets: the interaction or webhook token becomes ":token" (and,
 * with `ids`, every snowflake ":id"), so a path can be logged, recorded or shown.
 */
export function tokenlessPath(path: string, ids = false): string {
  const out = path.replace(/^(\/(?:interactions|webhooks)\/\d+\/)[^/?]+/, '$1:token');
  return ids ? out.replace(/\/\d{15,20}(?=[/?]|$)/g, '/:id') : out;
}

/** Loopback names and addresses: what the sandbox trusts by default. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
