/**
 * Module hooks for the bench's bot processes (registered by bot-child.ts with module.register):
 * LoopLab's PNG renderer (src/report/charts/png) is replaced, for the bot's own imports, by
 * bench/lib/png-swap.ts, which keeps the real renderer and adds a switch (charts on / off) and
 * timers. Plain JavaScript, so it loads before any TypeScript loader is involved.
 */
let swaps = [];

export async function initialize(data) {
  swaps = data?.swaps ?? [];
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const parent = context.parentURL ?? '';
  if (parent.includes('/bench/')) return result;
  for (const swap of swaps) {
    if (swap.pattern && new RegExp(swap.pattern).test(result.url)) {
      return { ...result, url: swap.url, shortCircuit: true };
    }
  }
  return result;
}
