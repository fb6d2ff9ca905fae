import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { freeLoopbackPort } from '../../test-support/free-port';

const CLI = resolve('out/main/cli.js');

export interface Host {
  url: string;
  token: string;
  origin: string;
  /** The UI's self-signed certificate when it serves https. */
  ca?: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts `porthole ui` (the real CLI, built) on a free loopback port (or as `args` say) and waits for its URL. */
export async function startHost(dataDir: string, args: readonly string[] = ['--listen', '127.0.0.1:0']): Promise<Host> {
  const proc = spawn(process.execPath, [CLI, 'ui', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTHOLE_DATA_DIR: '' },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`porthole ui printed no URL in 15 s:\n${out}`)), 15_000);
    const check = () => {
      const m = /Porthole UI: (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`porthole ui exited with ${code}:\n${out}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    token: new URLSearchParams(u.hash.slice(1)).get('token') ?? '',
    origin: u.origin,
    ...(u.protocol === 'https:' ? { ca: readFileSync(join(dataDir, 'ui-cert.pem'), 'utf8') } : {}),
    proc,
    output: () => out,
    stop: () =>
      new Promise((res) => {
        if (proc.exitCode !== null) return res(proc.exitCode);
        proc.once('exit', (code) => res(code));
        proc.kill('SIGTERM');
      }),
  };
}

export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-e2e-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Echo {
  port: number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<Echo> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A free loopback port, never one this process was given before (test-support/free-port.ts). */
export const freePort = freeLoopbackPort;

/** Sends `payload` through 127.0.0.1:port and resolves with what came back before the peer closed. */
export function roundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.end(payload));
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => res(Buffer.concat(chunks)));
    s.on('error', rej);
  });
}

export function connectOutcome(port: number): Promise<'connected' | 'refused'> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      res('connected');
    });
    s.on('error', () => res('refused'));
  });
}
