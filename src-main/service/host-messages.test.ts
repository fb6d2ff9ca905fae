import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SshServer } from '../../src-shared/model/ssh';
import { connectError, connectTimeout, listenError, udpTargetError } from '../engine/engine-error';
import { RouterMappings } from '../router/router-mappings';
import { channelOpenError, type Ssh2Error, sessionError } from '../ssh/ssh-errors';

// The host's real messages — engine errors, SSH errors, the router's line about a loopback listener —
// written by the code that says them into test-support/fixtures/host-messages.json, which the renderer's
// translation test (src-renderer/i18n/log-lines.test.ts) reads: the renderer may not import src-main,
// and this test fails whenever a message changes until the fixture is written again
// (PORTHOLE_UPDATE_FIXTURES=1 npx vitest run src-main/service/host-messages.test.ts).

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

describe('the host messages the renderer translates', () => {
  it('are the ones test-support/fixtures/host-messages.json holds', async () => {
    const now = { ...engineMessages(), ssh: sshMessages(), routerLoopback: await routerLoopbackLine() };
    if (process.env.PORTHOLE_UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
    expect(JSON.parse(readFileSync(FIXTURE, 'utf8'))).toEqual(now);
  });
});
