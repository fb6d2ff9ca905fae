// CPU time of a process from /proc and the GC counts Porthole's data plane prints (PORTHOLE_TRACE_GC),
// for the TCP scenarios of `npm run bench`.
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

const GC_LINE = /porthole data plane gc: major=(\d+) minor=(\d+)/g;

/** The last GC counts a process logged, or undefined when it logged none (yet). */
export function gcCounts(logFile) {
  let text;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  let last;
  for (const m of text.matchAll(GC_LINE)) last = m;
  return last ? { major: Number(last[1]), minor: Number(last[2]) } : { major: 0, minor: 0 };
}
