import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processIdentity } from './process-identity';

// One running instance per data dir: two hosts writing one rules file (or binding the same ports)
// would fight. The lock is a file created with O_EXCL holding the owner's pid and what identifies that
// process beyond its pid (process-identity.ts); a lock whose process is gone — or whose pid now
// belongs to another process — is stale and taken over.

export const LOCK_FILE = 'porthole.lock';

export interface LockHolder {
  pid: number;
  command: string;
  startedAt: number;
  /** processIdentity(pid) when the lock was taken; absent in locks written by older versions. */
  identity?: string;
}

export class DataDirLockedError extends Error {
  readonly holder: LockHolder;
  constructor(dataDir: string, holder: LockHolder) {
    super(
      `The data dir ${dataDir} is in use by another Porthole (${holder.command}, pid ${holder.pid}, ` +
        `started ${new Date(holder.startedAt).toISOString()}) — stop that one first, or pass --data-dir to use another dir`,
    );
    this.name = 'DataDirLockedError';
    this.holder = holder;
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote the lock still runs. A live pid whose identity differs is another
 * process that got the same pid (after a reboot, or a crash long ago). When the identity cannot be
 * read now, the pid alone decides (the safe side: better a refusal than two hosts on one data dir).
 */
export function holderRunning(holder: LockHolder, identify: (pid: number) => string | undefined = processIdentity): boolean {
  if (!isAlive(holder.pid)) return false;
  if (holder.identity === undefined) return true;
  const now = identify(holder.pid);
  return now === undefined || now === holder.identity;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const h = parsed as Record<string, unknown>;
    if (typeof h.pid !== 'number' || !Number.isInteger(h.pid) || h.pid <= 0) return undefined;
    return {
      pid: h.pid,
      command: typeof h.command === 'string' ? h.command.slice(0, 200) : 'porthole',
      startedAt: typeof h.startedAt === 'number' ? h.startedAt : 0,
      ...(typeof h.identity === 'string' ? { identity: h.identity.slice(0, 200) } : {}),
    };
  } catch {
    return undefined;
  }
}

export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const identity = processIdentity(process.pid);
  const me: LockHolder = { pid: process.pid, command, startedAt: Date.now(), ...(identity ? { identity } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        // Synchronous on purpose: Windows ends the process right after `session-end`, so the
        // desktop app calls this from that event, where nothing asynchronous would get to run.
        release() {
          if (released) return;
          released = true;
          // Only remove the lock if it is still ours.
          if (readHolder(path)?.pid === process.pid) {
            try {
              unlinkSync(path);
            } catch {
              /* already gone */
            }
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(path);
      if (holder && holder.pid !== process.pid && holderRunning(holder)) throw new DataDirLockedError(dataDir, holder);
      // Stale (owner gone, or its pid reused) or unreadable (a crash mid-write): remove and try again.
      try {
        unlinkSync(path);
      } catch {
        /* raced with another remover */
      }
    }
  }
  throw new Error(`Could not take the lock ${path} — another Porthole may be starting; try again`);
}
