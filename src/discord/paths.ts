/** A Discord API path without its secrets (tokens → ":token"): @looplab/doctor's, which records routes the same way. */
export { tokenlessPath } from '@looplab/doctor/meters';

/** Loopback names and addresses: what the sandbox trusts by default. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
