/**
 * Linux /proc readers for a process tree: resident memory and CPU time (from schedstat, in ns, so
 * an idle bot's few ms per second are measurable; /proc/<pid>/stat's 10 ms ticks are the fallback).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The pid and every descendant's. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const child of childrenOf(p)) visit(child);
  };
  visit(pid);
  return out;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    } catch {
      // gone
    }
  }
  return children;
}

/** VmRSS of one process, bytes (0 if it is gone). */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeRss(pid: number): {
  total: number;
  byPid: Array<{ pid: number; rss: number; name: string }>;
} {
  const byPid = processTree(pid).map((p) => ({ pid: p, rss: rssOf(p), name: nameOf(p) }));
  return { total: byPid.reduce((t, p) => t + p.rss, 0), byPid };
}

function nameOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** CPU time of one process (all its threads), ms. */
export function cpuMsOf(pid: number): number {
  let total = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      const [runNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/);
      total += Number(runNs) / 1e6;
    } catch {
      // a thread that just exited
    }
  }
  if (total > 0) return total;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time of the whole tree, ms (threads that exited meanwhile are lost: measure steady states). */
export function treeCpuMs(pid: number): number {
  return processTree(pid).reduce((t, p) => t + cpuMsOf(p), 0);
}
