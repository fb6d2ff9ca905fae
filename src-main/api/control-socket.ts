import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExchangeSummary } from '../../src-shared/model/inspector';
import { type Rule, ruleInspect } from '../../src-shared/model/rule';
import type { InspectorService } from '../service/inspector-service';
import { type LogLine, said } from '../../src-shared/model/log-text';

// The local control socket of a running host (`porthole ui`, `run`, `agent`, the desktop app), through
// which `porthole inspect` follows recorded HTTP exchanges. Unix: a socket file of mode 0600 in a 0700
// directory of the data dir — only the user who owns the data dir can connect, which is the whole
// authentication, as for the data dir's other files. Windows: a named pipe named after the data dir.
// The protocol is one JSON object per line: the client asks once, the host answers with a hello and
// then one line per exchange. It offers nothing but reading what the inspector records.

export const CONTROL_DIR = 'control';
/** The longest Unix socket path Linux and macOS accept (sun_path minus its NUL). */
const MAX_SOCKET_PATH = 103;
const MAX_REQUEST = 4096;

export interface ControlRule {
  id: string;
  name: string;
  /** Whether "Inspect HTTP" is on for it. */
  inspected: boolean;
}

export interface ControlSource {
  /** What is running, for the client to name (e.g. `porthole ui`). */
  host: string;
  inspector: InspectorService;
  rules(): ControlRule[];
}

export type ControlRequest = { op: 'inspect'; rule?: string };
export type ControlMessage =
  | { t: 'hello'; host: string; pid: number; rules: ControlRule[]; watching: string[] }
  | { t: 'exchange'; rule: string; exchange: ExchangeSummary }
  | { t: 'error'; message: string };

function dataDirHash(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

/**
 * Where this data dir's control sockets live. A data dir too deep for a socket path gets a directory
 * under the temp dir instead, named after it and checked to be this user's own and closed to others.
 */
export function controlDir(dataDir: string): string {
  const own = join(dataDir, CONTROL_DIR);
  if (join(own, 'agent-4294967295.sock').length <= MAX_SOCKET_PATH) return own;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `porthole-${uid}-${dataDirHash(dataDir)}`);
}

function pipePrefix(dataDir: string): string {
  return `porthole-${dataDirHash(dataDir)}-`;
}

/** The control endpoint of one host process. */
export function controlPath(dataDir: string, kind: string, pid = process.pid): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\${pipePrefix(dataDir)}${kind}-${pid}`;
  return join(controlDir(dataDir), `${kind}-${pid}.sock`);
}

/** Every control endpoint that may belong to a host on this data dir (stale ones included). */
export function listControlPaths(dataDir: string): string[] {
  try {
    if (process.platform === 'win32') {
      const prefix = pipePrefix(dataDir);
      return readdirSync('\\\\.\\pipe\\').filter((n) => n.startsWith(prefix)).map((n) => `\\\\.\\pipe\\${n}`);
    }
    const dir = controlDir(dataDir);
    return readdirSync(dir).filter((n) => n.endsWith('.sock')).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (!st.isDirectory() || st.uid !== uid) throw new Error(`${dir} is not a directory of this user's — remove it, then start again`);
  // mkdir's mode is filtered by the umask, and an existing directory keeps its own: make sure.
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Removes socket files of hosts that are gone (a crash leaves its socket behind). */
function sweepStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^[a-z]+-(\d+)\.sock$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive || pid === process.pid) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        /* gone already */
      }
    }
  }
}

function resolveRule(rules: ControlRule[], wanted: string): ControlRule | undefined {
  return rules.find((r) => r.id === wanted) ?? rules.find((r) => r.name === wanted) ?? rules.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

/** Listens on this process's control endpoint; `kind` names it (ui, run, agent, desktop). */
export async function startControlServer(dataDir: string, kind: string, source: ControlSource): Promise<ControlServer> {
  const path = controlPath(dataDir, kind);
  if (process.platform !== 'win32') {
    const dir = controlDir(dataDir);
    ensurePrivateDir(dir);
    sweepStale(dir);
  }
  const clients = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    clients.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => clients.delete(socket));
    serve(socket, source);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Created 0600 from the start on Unix (no window in which another user could connect).
    const old = process.platform === 'win32' ? undefined : process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (old !== undefined) process.umask(old);
    }
  });
  server.on('error', () => undefined);
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }),
  };
}

function serve(socket: net.Socket, source: ControlSource): void {
  let buffered = '';
  const send = (m: ControlMessage) => {
    if (socket.writable) socket.write(`${JSON.stringify(m)}\n`);
  };
  const onData = (d: Buffer) => {
    buffered += d.toString('utf8');
    const nl = buffered.indexOf('\n');
    if (nl < 0) {
      if (buffered.length > MAX_REQUEST) {
        send({ t: 'error', message: 'request too long' });
        socket.end();
      }
      return;
    }
    socket.off('data', onData);
    let req: ControlRequest | undefined;
    try {
      const parsed: unknown = JSON.parse(buffered.slice(0, nl));
      if (parsed && typeof parsed === 'object' && (parsed as { op?: unknown }).op === 'inspect') {
        const rule = (parsed as { rule?: unknown }).rule;
        req = typeof rule === 'string' && rule.length <= 200 ? { op: 'inspect', rule } : { op: 'inspect' };
      }
    } catch {
      req = undefined;
    }
    if (!req) {
      send({ t: 'error', message: 'unknown request (this socket only answers {"op":"inspect"})' });
      socket.end();
      return;
    }
    follow(socket, source, req, send);
  };
  socket.on('data', onData);
}

function follow(socket: net.Socket, source: ControlSource, req: ControlRequest, send: (m: ControlMessage) => void): void {
  const rules = source.rules();
  let only: ControlRule | undefined;
  if (req.rule !== undefined) {
    only = resolveRule(rules, req.rule);
    const inspected = rules.filter((r) => r.inspected).map((r) => r.name);
    const which = inspected.length > 0 ? `mappings with it on: ${inspected.join(', ')}` : 'no mapping has it on';
    if (!only) return void (send({ t: 'error', message: `no mapping named "${req.rule}" in ${source.host} (${which})` }), socket.end());
    if (!only.inspected) {
      return void (send({ t: 'error', message: `mapping "${only.name}" does not have Inspect HTTP on — switch it on in its settings (${which})` }), socket.end());
    }
  }
  send({ t: 'hello', host: source.host, pid: process.pid, rules, watching: only ? [only.name] : rules.filter((r) => r.inspected).map((r) => r.name) });
  const onAdded = (batch: ExchangeSummary[]) => {
    // A client that does not read is cut off rather than buffered without end.
    if (socket.writableLength > 4 * 1024 * 1024) return void socket.destroy();
    for (const x of batch) {
      if (only && x.ruleId !== only.id) continue;
      send({ t: 'exchange', rule: source.inspector.ruleName(x.ruleId) ?? x.ruleId, exchange: x });
    }
  };
  source.inspector.on('added', onAdded);
  socket.once('close', () => source.inspector.off('added', onAdded));
}

/** The control endpoint of a host built on the core (ui, run, the desktop app); a failure is a warning, not fatal. */
export async function startCoreControl(
  dataDir: string,
  kind: string,
  host: string,
  core: { inspector: InspectorService; service: { rules(): Rule[] } },
  warn: (message: string, line: LogLine) => void,
): Promise<ControlServer | undefined> {
  try {
    return await startControlServer(dataDir, kind, {
      host,
      inspector: core.inspector,
      rules: () => core.service.rules().map((r) => ({ id: r.id, name: r.name, inspected: ruleInspect(r) !== undefined })),
    });
  } catch (err) {
    warn(...said('controlSocketFailed', { host, error: (err as Error).message }));
    return undefined;
  }
}
