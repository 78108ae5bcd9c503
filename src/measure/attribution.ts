import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/** Who a piece of work belongs to: the interaction whose handler started it. */
export interface Owner {
  interactionId: string;
  command: string;
  userId: string;
}

const scope = new AsyncLocalStorage<Owner>();
const promiseOwners = new WeakMap<Promise<unknown>, Owner>();
let tracking = false;

/**
 * Runs `fn` as `owner`'s: everything it starts, across every `await`, timer and callback, knows
 * whose it is (AsyncLocalStorage). So a stall, a log line or an unhandled rejection can name the
 * interaction that caused it.
 */
export function runAs<T>(owner: Owner, fn: () => T): T {
  return scope.run(owner, fn);
}

/** The interaction whose code is running now, if any. */
export function currentOwner(): Owner | undefined {
  return scope.getStore();
}

/**
 * Remembers which interaction created each promise, so an unhandled rejection — reported by Node
 * outside the code that made it — can still be attributed. Costs one hook call per promise while
 * an owner is set; off until asked for.
 */
export function trackPromiseOwners(): void {
  if (tracking) return;
  tracking = true;
  createHook({
    init(_id, type, _trigger, resource) {
      if (type !== 'PROMISE') return;
      const owner = scope.getStore();
      if (owner) promiseOwners.set(resource as Promise<unknown>, owner);
    },
  }).enable();
}

/** The interaction that created `promise` (with trackPromiseOwners on). */
export function ownerOf(promise: Promise<unknown>): Owner | undefined {
  return promiseOwners.get(promise);
}
