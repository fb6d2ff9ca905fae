import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { UsageError } from './args';
import { readAnyProfile } from './profile';

describe('profile files for porthole run --profile', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const file = (name: string, body: string | Buffer) => {
    const p = join(t.dir, name);
    writeFileSync(p, body);
    return p;
  };
  const error = (p: string) => {
    try {
      readAnyProfile(p);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it('reads a Porthole JSON profile (BOM and CRLF allowed) and fills defaults', () => {
    const p = file('p.json', '\uFEFF{\r\n "rules": [ { "type": "socks", "name": "proxy", "listen": { "host": "127.0.0.1", "port": 1080 } } ]\r\n}\r\n');
    const r = readAnyProfile(p);
    expect(r.servers).toEqual([]);
    expect(r.rules).toMatchObject([{ type: 'socks', name: 'proxy', enabled: false, socks: { hasPassword: false } }]);
  });

  it('names the file, the rule and the field of an invalid rule', () => {
    const p = file('bad.json', JSON.stringify({ rules: [{ type: 'tcp-forward', name: 'x', listen: { host: '127.0.0.1', port: 99999 }, target: { host: 'h', port: 1 } }] }));
    expect(error(p)).toBe(`${p}: rules[0].listen.port: port must be between 1 and 65535`);
  });

  it('reports broken JSON without echoing the file, with a line only when the parser gives a position', () => {
    const secret = 'hunter2-should-not-be-echoed';
    const p = file('broken.json', `{\n  "rules": [,\n  "${secret}"\n}\n`);
    const msg = error(p);
    expect(msg).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: not valid JSON`));
    expect(msg).not.toContain(secret);
  });

  it('takes anything that is not a JSON object as an ssh_config, and refuses binary files', () => {
    const p = file('config', 'Host lab\n  HostName 127.0.0.1\n  LocalForward 8080 127.0.0.1:80\n');
    expect(readAnyProfile(p).rules).toMatchObject([{ type: 'ssh-local', listen: { port: 8080 } }]);
    expect(error(file('bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])))).toMatch(/binary data/);
  });
});
