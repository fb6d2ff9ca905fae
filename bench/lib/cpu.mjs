// CPU and memory of running processes, from /proc: what bounds a figure (which process sat at 100% of a
// core) and how much memory a process holds. Used by bench/relay-scenarios.mjs, tcp-scenarios.mjs,
// ssh-scenarios.mjs and tools.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's CPU times. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const CORES = os.cpus().length;

/**
 * { user, sys } CPU time of a process and of its children that it has reaped, in clock ticks (0 when it
 * is gone). With the reaped children counted, a child that exits during a sample (socat's per-connection
 * processes) moves its time into its parent's and is not lost; one still running is counted once.
 */
export function cpuTicks(pid) {
  const f = statFields(`/proc/${pid}/stat`);
  return f ? { user: Number(f[11]) + Number(f[13]), sys: Number(f[12]) + Number(f[14]) } : { user: 0, sys: 0 };
}

/** user + system clock ticks of each thread of a process: Map tid → ticks (threads that ended are left out). */
export function threadTicks(pid) {
  const m = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return m;
  }
  for (const tid of tids) {
    const f = statFields(`/proc/${pid}/task/${tid}/stat`);
    if (f) m.set(Number(tid), Number(f[11]) + Number(f[12]));
  }
  return m;
}

/** The fields of a /proc stat file after the command name (field 3 of proc(5) is [0]), or undefined when it is gone. */
function statFields(file) {
  try {
    const stat = readFileSync(file, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (every core), from /proc/stat. */
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * Runs fn() and adds to its result, for each group of pids (an array, or a function read at the start
 * and at the end for processes that come and go, like sshd's children), `<name>CpuPct` (user + system,
 * 100 = one core) and `<name>SysPct` (the kernel's part); and `machineCpuPct`, how busy every core of the
 * machine was meanwhile (100 × cores = saturated, whoever ran).
 */
export async function withCpu(groups, fn) {
  const pidsOf = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, typeof g === 'function' ? g() : g]));
  const before = Object.fromEntries(Object.entries(pidsOf).map(([k, pids]) => [k, new Map(pids.map((p) => [p, cpuTicks(p)]))]));
  const m0 = machineTicks();
  const t = performance.now();
  const res = await fn();
  const secs = (performance.now() - t) / 1000;
  const m1 = machineTicks();
  for (const [k, g] of Object.entries(groups)) {
    const pids = new Set([...pidsOf[k], ...(typeof g === 'function' ? g() : g)]);
    let user = 0;
    let sys = 0;
    for (const p of pids) {
      const now = cpuTicks(p);
      const was = before[k].get(p) ?? { user: 0, sys: 0 };
      user += now.user - was.user;
      sys += now.sys - was.sys;
    }
    res[`${k}CpuPct`] = Math.round(((user + sys) / CLK_TCK / secs) * 100);
    res[`${k}SysPct`] = Math.round((sys / CLK_TCK / secs) * 100);
  }
  res.machineCpuPct = Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100 * CORES);
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
