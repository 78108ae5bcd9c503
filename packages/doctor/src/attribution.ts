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

export interface HoldListener {
  /** An owned callback starts running on the main thread. */
  enter(owner: Owner): void;
  /** It returned, after `ms` on the main thread. */
  leave(owner: Owner, ms: number): void;
}

/**
 * Tells `listener` whenever code owned by an interaction starts and stops running on the main
 * thread — after any number of `await`s, timers or callbacks — so a stall can be blamed on the
 * handler that holds the thread. Each async resource's owner is read where it is created (its
 * init), which works on every Node line; returns a function that turns the hook off.
 */
export function watchOwnedCallbacks(listener: HoldListener, maxTracked = 100_000): () => void {
  const owners = new Map<number, Owner>();
  const stack: Array<{ owner: Owner | undefined; start: number }> = [];
  const hook = createHook({
    init(asyncId) {
      const owner = scope.getStore();
      if (!owner) return;
      // Bounded: resources that are never destroyed (a leak elsewhere) must not grow this forever.
      if (owners.size >= maxTracked) owners.clear();
      owners.set(asyncId, owner);
    },
    before(asyncId) {
      const owner = owners.get(asyncId);
      stack.push({ owner, start: performance.now() });
      if (owner) listener.enter(owner);
    },
    after() {
      const top = stack.pop();
      if (top?.owner) listener.leave(top.owner, performance.now() - top.start);
    },
    destroy(asyncId) {
      owners.delete(asyncId);
    },
  });
  hook.enable();
  return () => {
    hook.disable();
    owners.clear();
    stack.length = 0;
  };
}
