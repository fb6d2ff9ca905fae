// CPU time of a process from /proc, for the TCP scenarios of `npm run bench` (GC counts: trace-gc.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * user + system clock ticks of a process, every thread, plus the children it has reaped (socat's
 * per-connection processes); 0 once it is gone (the caller subtracts its start value).
 */
export function cpuTicksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { total: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return { total: 0 };
  }
}
cpuTicksOf.CLK_TCK = CLK_TCK;
