import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { type Core, createCore } from '../service/core';
import { confFactory } from '../store/conf-factories';
import { NetFixtures, type TestServer } from '../../test-support/net-fixtures';
import { tempDir } from '../../test-support/tmp';

const draft = (listenPort: number, targetPort: number, name = 'web') => ({
  type: 'tcp-forward',
  name,
  enabled: false,
  listen: { host: '127.0.0.1', port: listenPort },
  target: { host: '127.0.0.1', port: targetPort },
});

describe('API handler table', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  let echo: TestServer;
  const net = new NetFixtures();
  const freePort = () => net.freePort();
  beforeEach(async () => {
    t = tempDir();
    echo = await net.echoServer();
    core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 'test' });
  });
  afterEach(async () => {
    await core.shutdown();
    await net.cleanup();
    t.cleanup();
  });

  const fileText = () => readFileSync(join(t.dir, 'porthole.json'), 'utf8');
  const call = (m: string, a?: unknown) => core.api.handle(m, a);

  it('creates a rule and lists it with its status and counters', async () => {
    const r = await call('rules.create', draft(await freePort(), echo.port));
    expect(r.ok).toBe(true);
    const list = await call('rules.list');
    expect(list.ok && (list.value as RuleEntry[]).map((e) => [e.rule.name, e.status.state])).toEqual([['web', 'stopped']]);
  });

  // Each case: method, bad input, expected error code, a fragment of the message or issue path.
  const badInputs: [string, unknown, string, string][] = [
    ['rules.create', undefined, 'INVALID_INPUT', 'rules.create'],
    ['rules.create', { ...draft(1, 2), type: 'nope' }, 'INVALID_INPUT', 'type'],
    ['rules.create', { ...draft(70000, 2) }, 'INVALID_INPUT', 'listen.port'],
    ['rules.create', { ...draft(0, 2) }, 'INVALID_INPUT', 'listen.port'],
    ['rules.create', { ...draft(1, 2), listen: { host: 'bad host!', port: 1 } }, 'INVALID_INPUT', 'listen.host'],
    ['rules.create', { ...draft(1, 2), name: '' }, 'INVALID_INPUT', 'name'],
    ['rules.create', { ...draft(1, 2), target: { host: 'x', port: 1.5 } }, 'INVALID_INPUT', 'target.port'],
    ['rules.update', { id: 'nope', rule: draft(1, 2) }, 'NOT_FOUND', 'nope'],
    ['rules.update', { id: '../x', rule: draft(1, 2) }, 'INVALID_INPUT', 'id'],
    ['rules.update', { id: 'a', rule: draft(1, 2), extra: 1 }, 'INVALID_INPUT', ''],
    ['rules.remove', {}, 'INVALID_INPUT', 'id'],
    ['rules.remove', { id: 'missing' }, 'NOT_FOUND', 'missing'],
    ['rules.setEnabled', { id: 'x', enabled: 'yes' }, 'INVALID_INPUT', 'enabled'],
    ['rules.setGroupEnabled', { group: '', enabled: true }, 'INVALID_INPUT', 'group'],
    ['rules.setGroupEnabled', { group: 'none', enabled: true }, 'NOT_FOUND', 'none'],
    ['logs.query', { limit: -1 }, 'INVALID_INPUT', 'limit'],
    ['logs.query', { bogus: 1 }, 'INVALID_INPUT', ''],
    ['app.info', { x: 1 }, 'INVALID_INPUT', ''],
    ['rules.drop', {}, 'INVALID_INPUT', 'Unknown method'],
    ['__proto__', {}, 'INVALID_INPUT', 'Unknown method'],
  ];

  it.each(badInputs)('%s rejects %j with %s and changes nothing', async (method, input, code, hint) => {
    const seed = await call('rules.create', draft(await freePort(), echo.port, 'keep'));
    expect(seed.ok).toBe(true);
    const before = fileText();
    const listBefore = await call('rules.list');
    const r = await call(method, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    const text = r.error.message + ' ' + (r.error.issues ?? []).map((i) => `${i.path} ${i.message}`).join(' ');
    expect(text).toContain(hint);
    expect(fileText()).toBe(before);
    expect(await call('rules.list')).toEqual(listBefore);
  });

  it('rejects a listen port used by another rule with CONFLICT on listen.port', async () => {
    const port = await freePort();
    expect((await call('rules.create', draft(port, echo.port, 'first'))).ok).toBe(true);
    const before = fileText();
    const r = await call('rules.create', draft(port, echo.port, 'second'));
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', issues: [{ path: 'listen.port' }] } });
    expect(!r.ok && r.error.message).toContain('"first"');
    const wildcard = await call('rules.create', { ...draft(port, echo.port, 'third'), listen: { host: '0.0.0.0', port } });
    expect(wildcard.ok).toBe(false);
    expect(fileText()).toBe(before);
  });
});
