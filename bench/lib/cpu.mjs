// CPU and memory of running processes, from /proc: what bounds a figure (which process sat at 100% of a
// core) and how much memory a process holds. Used by bench/relay-scenarios.mjs (bench/ssh-scenarios.mjs
// has the same CPU sampler inline).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in clock ticks (0 when it is gone). */
export function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/**
 * Runs fn() and adds `<name>CpuPct` (100 = one core) to its result for each group of pids: an array,
 * or a function read at the start and at the end (processes that come and go, like sshd's children).
 */
export async function withCpu(groups, fn) {
  const pidsOf = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, typeof g === 'function' ? g() : g]));
  const before = Object.fromEntries(Object.entries(pidsOf).map(([k, pids]) => [k, new Map(pids.map((p) => [p, cpuTicks(p)]))]));
  const t = performance.now();
  const res = await fn();
  const secs = (performance.now() - t) / 1000;
  for (const [k, g] of Object.entries(groups)) {
    const pids = new Set([...pidsOf[k], ...(typeof g === 'function' ? g() : g)]);
    let ticks = 0;
    for (const p of pids) ticks += cpuTicks(p) - (before[k].get(p) ?? 0);
    res[`${k}CpuPct`] = Math.round((ticks / CLK_TCK / secs) * 100);
  }
  return res;
}

/** Sum of VmRSS (KiB) over pids; processes that are gone count 0. */
export function rssKiB(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) sum += Number(m[1]);
    } catch {
      // exited
    }
  }
  return sum;
}
