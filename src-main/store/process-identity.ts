import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { win32 } from 'node:path';

// A pid alone does not name a process: after a crash, a Windows logoff that killed us before the
// lock was removed, or a reboot, the pid in a lock file may belong to an unrelated process, and the
// next start would wrongly say "already running". So the lock also records *which* process held it:
// - Linux: the boot id plus the process's start time in clock ticks since boot (/proc/PID/stat
//   field 22) — exact, and read without starting anything.
// - macOS and other Unixes: `ps -o lstart=` (start time to the second).
// - Windows: the image name from `tasklist` (no start time without PowerShell, which is slow and
//   often locked down): a pid reused by another program (the usual case after a reboot) shows a
//   different name.
// `undefined` means "cannot tell"; the caller then trusts the pid alone, as before.

const PS_TIMEOUT_MS = 3000;

/** Field 22 (starttime) of a /proc/PID/stat line. The command (field 2) may hold spaces and ")". */
export function parseProcStatStart(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3, 4, …: starttime is field 22, so index 19 of the rest.
  const rest = stat.slice(close + 2).trim().split(/\s+/);
  const start = rest[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** The image name in `tasklist /FO CSV /NH` output for one pid ("INFO: No tasks…" when there is none). */
export function parseTasklistImage(out: string, pid: number): string | undefined {
  for (const line of out.split(/\r?\n/)) {
    const cells = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (cells.length >= 2 && cells[1] === String(pid)) return cells[0]?.toLowerCase();
  }
  return undefined;
}

function linuxIdentity(pid: number): string | undefined {
  try {
    const start = parseProcStatStart(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (start === undefined) return undefined;
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      /* containers without it: the start time alone still tells reused pids apart */
    }
    return `linux:${boot}:${start}`;
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: string[]): string | undefined {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: PS_TIMEOUT_MS, windowsHide: true });
  return res.status === 0 && typeof res.stdout === 'string' ? res.stdout : undefined;
}

/** Names the running process `pid` so a later reader can tell it from another with the same pid. */
export function processIdentity(pid: number, platform: NodeJS.Platform = process.platform): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (platform === 'linux') return linuxIdentity(pid);
  if (platform === 'win32') {
    // Our own image name is known without asking tasklist (~0.1 s) at every start.
    if (pid === process.pid) return `image:${win32.basename(process.execPath).toLowerCase()}`;
    const image = parseTasklistImage(run('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH']) ?? '', pid);
    return image ? `image:${image}` : undefined;
  }
  const started = run('ps', ['-o', 'lstart=', '-p', String(pid)])?.trim();
  return started ? `ps:${started}` : undefined;
}
