import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { KnownHostsStore, check, fingerprint, formatEntry, keyTypeOf, parseKnownHosts } from './known-hosts';

const run = promisify(execFile);

/** A wire-format blob: string keytype + string payload, which is all the matcher looks at. */
function blob(type: string, payload = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const len = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(t.length), t, len(payload.length), payload]);
}

const ED = blob('ssh-ed25519');
const ED2 = blob('ssh-ed25519');
const RSA = blob('ssh-rsa');
const line = (hosts: string, key: Buffer): string => `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;

describe('known_hosts matching', () => {
  it('matches a plain host on port 22 and a [host]:port entry on other ports', () => {
    const entries = parseKnownHosts(`# comment\n\n${line('example.org,10.0.0.1', ED)}\n${line('[example.org]:2222', ED2)}\n`);
    expect(check(entries, 'example.org', 22, 'ssh-ed25519', ED).status).toBe('match');
    expect(check(entries, '10.0.0.1', 22, 'ssh-ed25519', ED).status).toBe('match');
    expect(check(entries, 'EXAMPLE.org', 2222, 'ssh-ed25519', ED2).status).toBe('match');
    // Port 2222 has its own key: the port-22 one does not count there.
    expect(check(entries, 'example.org', 2222, 'ssh-ed25519', ED).status).toBe('mismatch');
    expect(check(entries, 'other.org', 22, 'ssh-ed25519', ED).status).toBe('unknown');
  });

  it('reports a changed key of the same type with the recorded fingerprint, file and line', () => {
    const entries = parseKnownHosts(`\n${line('example.org', ED)}\n`, '/x/known_hosts');
    const r = check(entries, 'example.org', 22, 'ssh-ed25519', ED2);
    expect(r).toMatchObject({ status: 'mismatch', fingerprint: fingerprint(ED), revoked: false, entry: { file: '/x/known_hosts', line: 2 } });
  });

  it('treats a host known only by another key type as unknown', () => {
    const entries = parseKnownHosts(line('example.org', RSA));
    expect(check(entries, 'example.org', 22, 'ssh-ed25519', ED).status).toBe('unknown');
  });

  it('supports * and ? wildcards and ! negation', () => {
    const entries = parseKnownHosts(line('*.corp.example,!bad.corp.example,host?', ED));
    expect(check(entries, 'a.corp.example', 22, 'ssh-ed25519', ED).status).toBe('match');
    expect(check(entries, 'host7', 22, 'ssh-ed25519', ED).status).toBe('match');
    expect(check(entries, 'host77', 22, 'ssh-ed25519', ED).status).toBe('unknown');
    expect(check(entries, 'bad.corp.example', 22, 'ssh-ed25519', ED).status).toBe('unknown');
  });

  it('matches hashed |1|salt|hash entries (HMAC-SHA1 of the name)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[db.internal]:2200').digest('base64');
    const entries = parseKnownHosts(line(`|1|${salt.toString('base64')}|${hash}`, ED));
    expect(check(entries, 'db.internal', 2200, 'ssh-ed25519', ED).status).toBe('match');
    expect(check(entries, 'db.internal', 22, 'ssh-ed25519', ED).status).toBe('unknown');
  });

  it('refuses a @revoked key even when another line trusts it, and ignores @cert-authority', () => {
    const entries = parseKnownHosts(`${line('example.org', ED)}\n@revoked ${line('*', ED)}\n@cert-authority ${line('*', ED2)}\n`);
    expect(check(entries, 'example.org', 22, 'ssh-ed25519', ED)).toMatchObject({ status: 'mismatch', revoked: true });
    expect(check(entries, 'other.org', 22, 'ssh-ed25519', ED2).status).toBe('unknown');
  });

  it('skips malformed lines instead of failing the file', () => {
    const entries = parseKnownHosts(`garbage\nhost ssh-ed25519 !!!notbase64\n@weird ${line('x', ED)}\n${line('ok', ED)}`);
    expect(entries.map((e) => e.patterns)).toEqual([['ok']]);
  });

  it('formats entries the way OpenSSH writes them', () => {
    expect(formatEntry('Example.org', 22, 'ssh-ed25519', ED)).toBe(`example.org ssh-ed25519 ${ED.toString('base64')}`);
    expect(formatEntry('::1', 2222, 'ssh-ed25519', ED)).toBe(`[::1]:2222 ssh-ed25519 ${ED.toString('base64')}`);
  });
});

describe('known_hosts files', () => {
  let tmp: ReturnType<typeof tempDir>;
  afterEach(() => tmp.cleanup());

  it('fingerprints a key exactly as ssh-keygen -lf does', async () => {
    tmp = tempDir();
    const key = join(tmp.dir, 'k');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const [, b64] = readFileSync(`${key}.pub`, 'utf8').split(' ');
    const { stdout } = await run('ssh-keygen', ['-lf', `${key}.pub`]);
    expect(fingerprint(Buffer.from(b64 as string, 'base64'))).toBe(stdout.split(' ')[1]);
  });

  it('appends to the app file (created 0600), reads extra files read-only, and tolerates missing ones', async () => {
    tmp = tempDir();
    const extra = join(tmp.dir, 'user_known_hosts');
    writeFileSync(extra, `${line('[a.example]:2222', ED)}`); // no trailing newline
    const store = new KnownHostsStore({ appFile: join(tmp.dir, 'data', 'known_hosts'), extraFiles: [extra, join(tmp.dir, 'absent')] });
    expect((await store.check('a.example', 2222, ED)).status).toBe('match');
    expect((await store.check('b.example', 22, ED2)).status).toBe('unknown');
    await store.add('b.example', 22, ED2);
    await store.add('c.example', 2200, ED);
    expect((await store.check('b.example', 22, ED2)).status).toBe('match');
    expect(statSync(store.appFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(store.appFile, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(extra, 'utf8')).not.toContain('b.example');
    // A server's own knownHostsFile is consulted only for that server.
    const own = join(tmp.dir, 'server_known_hosts');
    writeFileSync(own, line('d.example', ED));
    expect((await store.check('d.example', 22, ED)).status).toBe('unknown');
    expect((await store.check('d.example', 22, ED, own)).status).toBe('match');
  });
});
