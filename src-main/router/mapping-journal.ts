import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// What Porthole has open on a router, one small file per owner (rule id, or the CLI's forward id), so
// that a run killed before it could unmap is cleaned up by the next one. UPnP mappings are also found
// by their description; NAT-PMP cannot list mappings, so for it this file is the only memory.

const RecordSchema = z.object({
  ownerId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
  method: z.enum(['upnp', 'natpmp', 'pcp']),
  gateway: z.string().max(64),
  protocol: z.enum(['tcp', 'udp']),
  internalAddress: z.string().max(64),
  internalPort: z.number().int().min(1).max(65535),
  externalPort: z.number().int().min(1).max(65535),
  description: z.string().max(256),
  /** PCP only: the mapping's nonce, without which the router will not delete it (RFC 6887 section 11.1). */
  nonce: z.string().regex(/^[0-9a-f]{24}$/).optional(),
  at: z.number(),
  /** The process that made it: while that one lives, the mapping is not stale (absent in older records). */
  pid: z.number().int().positive().optional(),
});
export type JournalRecord = z.output<typeof RecordSchema>;

export class MappingJournal {
  /** `dir` undefined: nothing is remembered (tests of one process, `upnp status`). */
  constructor(private readonly dir: string | undefined) {}

  private file(ownerId: string): string | undefined {
    return this.dir && /^[A-Za-z0-9_-]{1,80}$/.test(ownerId) ? join(this.dir, `${ownerId}.json`) : undefined;
  }

  read(ownerId: string): JournalRecord | undefined {
    const f = this.file(ownerId);
    if (!f) return undefined;
    try {
      const r = RecordSchema.safeParse(JSON.parse(readFileSync(f, 'utf8')));
      return r.success ? r.data : undefined;
    } catch {
      return undefined;
    }
  }

  write(rec: Omit<JournalRecord, 'pid'>): void {
    const f = this.file(rec.ownerId);
    if (!f) return;
    mkdirSync(this.dir!, { recursive: true, mode: 0o700 });
    writeFileSync(`${f}.tmp`, `${JSON.stringify({ ...rec, pid: process.pid })}\n`, { mode: 0o600 });
    renameSync(`${f}.tmp`, f);
  }

  /** Owners with a record (a run that ended without unmapping, or one mapping now). */
  owners(): string[] {
    if (!this.dir) return [];
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5));
    } catch {
      return [];
    }
  }

  /**
   * Whether another process that is still running wrote it: the one data dir is shared by the app,
   * `porthole run --profile` and `porthole forward --upnp`, which do not lock it against each other, so
   * one's start must not take another's live mappings for stale ones.
   */
  static heldByLiveProcess(rec: JournalRecord): boolean {
    if (rec.pid === undefined || rec.pid === process.pid) return false;
    try {
      process.kill(rec.pid, 0);
      return true;
    } catch (err) {
      // EPERM: it exists, under another user.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  remove(ownerId: string): void {
    const f = this.file(ownerId);
    if (f) rmSync(f, { force: true });
  }
}
