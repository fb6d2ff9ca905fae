import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SshServer } from '../../src-shared/model/ssh';
// The secrets backend's texts live with the desktop shell's codec, which takes only a type from electron and runs in plain Node.
// eslint-disable-next-line no-restricted-imports
import { NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, type SafeStorageLike, safeStorageCodec } from '../electron/secret-codec';
import { connectError, connectTimeout, listenError, udpTargetError } from '../engine/engine-error';
import { describePortInUse, type PortOwner } from '../engine/port-owner';
import { RouterMappings } from '../router/router-mappings';
import { channelOpenError, type Ssh2Error, sessionError } from '../ssh/ssh-errors';
import { fileOnlyCodec } from '../store/secret-store';

// The host's real messages — engine errors, SSH errors, the router's line about a loopback listener,
// where secrets are kept, a listen port in use — written by the code that says them into
// test-support/fixtures/host-messages.json, which the renderer's translation tests
// (src-renderer/i18n/log-lines.test.ts, messages.test.ts) read: the renderer may not import src-main,
// and this test fails whenever a message changes until the fixture is written again
// (PORTHOLE_UPDATE_FIXTURES=1 npx vitest run src-main/service/host-messages.test.ts).
// Nothing here depends on the machine: no live sockets, no /proc, no clock.

const FIXTURE = new URL('../../test-support/fixtures/host-messages.json', import.meta.url);

const plain = (e: { code: string; message: string }) => ({ code: e.code, message: e.message });
const errno = (code: string) => Object.assign(new Error(`x ${code}`), { code });

function engineMessages() {
  const host = 'db.internal';
  return {
    refused: plain(connectError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), '127.0.0.1', 47999)),
    engine: [
      connectError(errno('EHOSTUNREACH'), host, 5432),
      connectError(connectTimeout(host, 5432, 5000), host, 5432),
      connectError(connectTimeout(host, 5432, 1500), host, 5432),
      connectError(errno('ETIMEDOUT'), host, 5432),
      connectError(errno('ENOTFOUND'), host, 5432),
      connectError(errno('ECONNRESET'), host, 5432),
      udpTargetError(errno('ECONNREFUSED'), host, 53),
      listenError(errno('EACCES'), '127.0.0.1', 80),
      listenError(errno('EACCES'), '127.0.0.1', 8080),
      listenError(errno('EADDRNOTAVAIL'), '10.9.9.9', 8080),
      listenError(errno('ENOTFOUND'), host, 8080),
    ].map(plain),
    /** A catch-all: keeps the OS's words as its detail. */
    catchAll: plain(connectError(errno('EWHATEVER'), host, 1)),
  };
}

function sshMessages() {
  const server = { id: 's1', name: 'Box', host: 'box.internal', port: 22, user: 'me', auth: { method: 'agent' } } as unknown as SshServer;
  const err = (fields: Partial<Ssh2Error>, message = 'x'): Ssh2Error => Object.assign(new Error(message), fields);
  const hop = { server, tried: ['publickey'] };
  return [
    sessionError(undefined, hop, true),
    sessionError(undefined, hop, false),
    sessionError(err({ level: 'client-authentication' }), hop, false),
    sessionError(err({ level: 'client-authentication' }), { ...hop, agentProblem: 'SSH_AUTH_SOCK is not set' }, false),
    sessionError(err({ level: 'client-timeout' }, 'Keepalive timeout'), hop, true),
    sessionError(err({ level: 'client-timeout' }, 'Timed out while waiting for handshake'), hop, false),
    sessionError(err({ code: 'ENOTFOUND' }), hop, false),
    sessionError(err({ code: 'ECONNREFUSED' }), hop, false),
    sessionError(err({ code: 'EHOSTUNREACH' }), hop, false),
    sessionError(err({ code: 'ETIMEDOUT' }), hop, false),
    sessionError(err({ code: 'ECONNRESET' }), hop, true),
    channelOpenError(err({ reason: 1 }, '(SSH) Channel open failure: administratively prohibited'), server, 'db', 5432),
    channelOpenError(err({ reason: 2 }, '(SSH) Channel open failure: Connection refused'), server, 'db', 5432),
    channelOpenError(err({ reason: 2 }, '(SSH) Channel open failure: unknown host'), server, 'db', 5432),
    channelOpenError(err({ reason: 2 }, '(SSH) Channel open failure: Connection timed out'), server, 'db', 5432),
    channelOpenError(err({ reason: 2 }, '(SSH) Channel open failure: No route to host'), server, 'db', 5432),
  ].map(plain);
}

/** The router's one line for a mapping that listens on loopback, as the service's log receives it. */
async function routerLoopbackLine() {
  const said: Array<{ level: string; message: string; key: string; fields: Readonly<Record<string, string | number>>; code?: string }> = [];
  const router = new RouterMappings({ log: (level, message, _owner, code, l) => void said.push({ level, message, key: l.key, fields: l.fields, ...(code ? { code } : {}) }) });
  const status = await router.map({ ownerId: 'r1', protocol: 'tcp', listenHost: '127.0.0.1', listenPort: 47001, option: { enabled: true, protocol: 'auto', leaseSeconds: 3600 } });
  await router.releaseAll();
  expect(status.error?.code).toBe('LISTEN_ON_LOOPBACK');
  expect(said).toHaveLength(1);
  expect(said[0]!.message).toMatch(/^Router: the mapping listens on 127\.0\.0\.1, which the router cannot reach — listen on /);
  return said[0]!;
}

/** Every text AppInfo.secretsBackend can carry: the plain file, no keyring (file or memory only), each OS keyring. */
function secretsBackends(): string[] {
  // Only Linux asks which backend; macOS and Windows name their keyring themselves.
  const safe = (backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']>): SafeStorageLike => ({
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(s),
    decryptString: (b: Buffer) => b.toString(),
  });
  const keyrings = [
    safeStorageCodec(safe('gnome_libsecret'), { memoryOnly: false, platform: 'linux' }).backend,
    safeStorageCodec(safe('unknown'), { memoryOnly: false, platform: 'darwin' }).backend,
    safeStorageCodec(safe('unknown'), { memoryOnly: false, platform: 'win32' }).backend,
  ];
  return [fileOnlyCodec.backend, NO_KEYRING_FILE_TEXT, NO_KEYRING_MEMORY_TEXT, ...keyrings];
}

/**
 * describePortInUse in each of its forms (another program, Porthole itself, nobody known; a free port
 * suggested or none), with who holds the port and which port is free fixed rather than read from this
 * machine's /proc and sockets, so the fixture is the same on every machine and run. Its live probes are
 * tested in src-main/engine/tcp-forward-options.test.ts ("port owner").
 */
async function portInUseMessages(): Promise<string[]> {
  const fixed = (owner: PortOwner | undefined, free: number | undefined) => ({ owner: () => owner, free: async () => free });
  return [
    await describePortInUse('tcp', '127.0.0.1', 8080, fixed({ pid: 1234, name: 'nginx' }, 8081)),
    await describePortInUse('tcp', '127.0.0.1', 47001, fixed({ pid: process.pid, name: 'node' }, 47002)),
    await describePortInUse('udp', '0.0.0.0', 5353, fixed(undefined, undefined)),
    await describePortInUse('tcp', '::1', 5432, fixed({ pid: 812, name: 'postgres' }, undefined)),
  ];
}

describe('the host messages the renderer translates', () => {
  it('are the ones test-support/fixtures/host-messages.json holds', async () => {
    const now = {
      ...engineMessages(),
      ssh: sshMessages(),
      routerLoopback: await routerLoopbackLine(),
      secretsBackends: secretsBackends(),
      portInUse: await portInUseMessages(),
    };
    if (process.env.PORTHOLE_UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
    expect(JSON.parse(readFileSync(FIXTURE, 'utf8'))).toEqual(now);
  });
});
