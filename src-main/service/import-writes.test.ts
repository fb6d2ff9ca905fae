import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { ImportOutcome, ImportPreview, ImportSource } from '../../src-shared/model/import';
import type { RelayEntry } from '../../src-shared/model/relay';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { CountingConf, CountingSecrets, diskError } from '../../test-support/counting-stores';
import { useServiceCore } from '../../test-support/service-core';
import { FileSecretStore, StoredSecret } from '../store/secret-store';

// An import writes each list it changes (servers, relays, mappings) and the secrets once, however many
// items it has — a write per item rewrote the whole file each time, O(n²) — and so does its undo. A
// write that fails puts back what the import already wrote; if putting it back fails too, the person
// still sees the cause first.

const doc = (name: string, d: object): ImportSource => ({ name, text: JSON.stringify({ porthole: 1, ...d }) });
const srv = (i: number) => ({ ref: `s${i}`, name: `Server ${i}`, host: `s${i}.example`, user: 'me', auth: { method: 'password' }, password: `pw-${i}` });
const rly = (i: number) => ({ ref: `y${i}`, name: `Relay ${i}`, host: `r${i}.example`, agentName: 'me', token: `token-${i}-for-the-tests` });
const viaServer = (i: number) => ({ type: 'ssh-local', name: `Via ${i}`, server: `s${i}`, listen: { host: '127.0.0.1', port: 30000 + i }, target: { host: 'db', port: 5432 } });
const viaRelay = (i: number) => ({ type: 'relay-expose', name: `Out ${i}`, relay: `y${i}`, target: { host: '127.0.0.1', port: 80 } });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('import writes', () => {
  let conf = new CountingConf();
  let secrets: CountingSecrets | undefined;
  const svc = useServiceCore({
    options: (dir) => {
      conf = new CountingConf();
      secrets = new CountingSecrets(new FileSecretStore(dir));
      return { confFactory: conf.factory, secretStore: secrets };
    },
  });
  const { call, refused } = svc;

  const preview = (...sources: ImportSource[]) => call<ImportPreview>('imports.preview', { sources });
  const storeFile = () => readFileSync(join(svc.dir, 'porthole.json'), 'utf8');
  const secretsFile = () => (existsSync(join(svc.dir, 'secrets.json')) ? readFileSync(join(svc.dir, 'secrets.json'), 'utf8') : '');
  const lists = async () => ({ rules: await call<RuleEntry[]>('rules.list'), servers: await call<SshServerEntry[]>('servers.list'), relays: await call<RelayEntry[]>('relays.list') });
  /** Writes of each list and of the secrets since `since` (a count taken earlier). */
  const count = () => ({ servers: conf.writes('servers'), relays: conf.writes('relays'), rules: conf.writes('rules'), secrets: secrets!.writes });
  const since = (before: ReturnType<typeof count>) => {
    const now = count();
    return { servers: now.servers - before.servers, relays: now.relays - before.relays, rules: now.rules - before.rules, secrets: now.secrets - before.secrets };
  };
  const once = { servers: 1, relays: 1, rules: 1, secrets: 1 };
  const none = { servers: 0, relays: 0, rules: 0, secrets: 0 };
  const saveError = (text: string) => `Could not save to ${join(svc.dir, 'porthole.json')}: ${text}`;

  it('an import of 100 servers with passwords, 100 relays with tokens and 200 mappings writes each list and the secrets once; so does its undo', async () => {
    const n = 100;
    const pv = await preview(doc('big.json', { servers: range(n).map(srv), relays: range(n).map(rly), rules: [...range(n).map(viaServer), ...range(n).map(viaRelay)] }));
    const before = count();

    expect(await call<ImportOutcome>('imports.apply', { previewId: pv.id })).toMatchObject({ servers: n, relays: n, rules: 2 * n });
    expect(since(before)).toEqual(once);
    const saved = await lists();
    expect(saved.servers.map((e) => [e.server.name, e.server.auth])).toEqual(range(n).map((i) => [`Server ${i}`, { method: 'password', hasPassword: true }]));
    expect(saved.relays.every((e) => e.relay.hasToken)).toBe(true);
    const stored = new FileSecretStore(svc.dir);
    expect(range(n).map((i) => stored.get(`ssh:${saved.servers[i]!.server.id}:password`))).toEqual(range(n).map((i) => `pw-${i}`));
    expect(saved.rules.map((e) => ('server' in e.rule ? e.rule.server : e.rule.type === 'relay-expose' ? e.rule.relay : ''))).toEqual([...saved.servers.map((e) => e.server.id), ...saved.relays.map((e) => e.relay.id)]);

    await call('imports.undo');
    expect(since(before)).toEqual({ servers: 2, relays: 2, rules: 2, secrets: 2 });
    expect(await lists()).toEqual({ rules: [], servers: [], relays: [] });
    expect(JSON.parse(secretsFile())).toEqual({ version: 1, entries: {} });
  });

  it('an import refused part-way (its second mapping on the port its first one takes) writes nothing at all', async () => {
    const pv = await preview(doc('a.json', { servers: [srv(0)], relays: [rly(0)], rules: [viaServer(0), viaRelay(0)] }), doc('b.json', { rules: [{ type: 'tcp-forward', name: 'Also there', listen: { host: '127.0.0.1', port: 30000 }, target: { host: '127.0.0.1', port: 9 } }] }));
    const second = pv.items.find((i) => i.name === 'Also there')!;
    const before = { store: storeFile(), secrets: secretsFile(), counts: count() };
    await expect(refused('imports.apply', { previewId: pv.id, decisions: [{ key: second.key, action: 'import' }] })).resolves.toMatchObject({ code: 'CONFLICT', message: 'The mapping "Via 0" already listens on 127.0.0.1:30000' });
    expect(since(before.counts)).toEqual(none);
    expect([storeFile(), secretsFile()]).toEqual([before.store, before.secrets]);
  });

  it.each(['servers', 'relays'])('a failed write of the %s list puts back what the import wrote, names the file, and lists nothing of it', async (key) => {
    await call('servers.create', { server: { name: 'Kept', host: 'kept.example', user: 'me', auth: { method: 'password' } }, password: 'pw-kept' });
    const pv = await preview(doc('team.json', { servers: [srv(0), srv(1)], relays: [rly(0)], rules: [viaServer(0), viaRelay(0)] }));
    const before = { store: storeFile(), secrets: secretsFile(), lists: await lists() };
    conf.fail = (k) => (k === key ? diskError('EACCES', 'permission denied') : undefined);

    await expect(refused('imports.apply', { previewId: pv.id })).resolves.toEqual({ code: 'INTERNAL', message: saveError('EACCES: permission denied') });
    conf.fail = undefined;
    expect([storeFile(), secretsFile()]).toEqual([before.store, before.secrets]);
    expect(await lists()).toEqual(before.lists);
    await expect(refused('imports.undo')).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a server whose list cannot be written leaves no password behind', async () => {
    await call('servers.create', { server: { name: 'Kept', host: 'kept.example', user: 'me', auth: { method: 'password' } }, password: 'pw-kept' });
    const before = secretsFile();
    conf.fail = (k) => (k === 'servers' ? diskError('ENOSPC', 'no space left on device') : undefined);
    await expect(refused('servers.create', { server: { name: 'S', host: 's.example', user: 'me', auth: { method: 'password' } }, password: 'pw-S' })).resolves.toEqual({
      code: 'INTERNAL',
      message: saveError('ENOSPC: no space left on device'),
    });
    conf.fail = undefined;
    expect(secretsFile()).toBe(before);
  });

  it('when putting back a failed import fails too, the error gives the cause first, then what could not be put back; the rest is still put back', async () => {
    const old = await call<SshServerEntry>('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' } }, password: 'pw-old' });
    const pv = await preview(doc('lab.json', { servers: [{ ...srv(0), name: 'Lab', password: 'pw-new' }], rules: [viaServer(0)] }));
    const lab = pv.items.find((i) => i.kind === 'server')!;
    const secretsBefore = secretsFile();
    const serverWrites = conf.writes('servers');
    // The mappings cannot be saved; nor can the server list be written again, once the import wrote it.
    conf.fail = (k) => (k === 'rules' ? diskError('EACCES', 'permission denied') : k === 'servers' && conf.writes('servers') > serverWrites ? diskError('EROFS', 'read-only file system') : undefined);

    const err = await refused('imports.apply', { previewId: pv.id, decisions: [{ key: lab.key, action: 'replace' }] });
    conf.fail = undefined;
    expect(err).toEqual({ code: 'INTERNAL', message: `${saveError('EACCES: permission denied')}; undoing the partial import also failed: ${saveError('EROFS: read-only file system')}` });
    expect(secretsFile()).toBe(secretsBefore);
    expect(new FileSecretStore(svc.dir).get(`ssh:${old.server.id}:password`)).toBe('pw-old');
    expect(await call('rules.list')).toEqual([]);
  });
  it.each([
    ['mappings', 'rules', 'nothing of the undo is written'],
    ['servers', 'servers', 'the mappings are written back, the secrets and relays put back as the import left them'],
  ])('an undo whose write of the %s fails keeps its record (%s); undone again once the disk is fixed, the files are as before the import', async (_what, key) => {
    const lab = await call<SshServerEntry>('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' } }, password: 'pw-old' });
    const edge = await call<RelayEntry>('relays.create', { relay: { name: 'Edge', host: 'edge.example', agentName: 'me' }, token: 'tok-old-for-the-tests' });
    await call('rules.create', { type: 'tcp-forward', name: 'Kept', enabled: false, listen: { host: '127.0.0.1', port: 29999 }, target: { host: '127.0.0.1', port: 9 } });
    const pre = { store: storeFile(), secrets: secretsFile() };
    const pv = await preview(doc('lab.json', { servers: [{ ...srv(0), name: 'Lab', password: 'pw-new' }, srv(1)], relays: [{ ...rly(0), name: 'Edge' }, rly(1)], rules: [viaServer(0), viaServer(1), viaRelay(1)] }));
    const replace = (kind: string, name: string) => ({ key: pv.items.find((i) => i.kind === kind && i.name === name)!.key, action: 'replace' });
    await call('imports.apply', { previewId: pv.id, decisions: [replace('server', 'Lab'), replace('relay', 'Edge')] });
    const imported = { store: storeFile(), secrets: secretsFile(), lists: await lists() };
    conf.fail = (k) => (k === key ? diskError('ENOSPC', 'no space left on device') : undefined);

    await expect(refused('imports.undo')).resolves.toEqual({
      code: 'INTERNAL',
      message: `Could not undo the last import: ${saveError('ENOSPC: no space left on device')} — fix that, then undo the import again (what is already undone is not undone twice)`,
    });
    expect(svc.core.service.log.query({ limit: 5 }).map((l) => [l.level, l.key, l.message])).toContainEqual(['error', 'importUndoFailed', `Could not undo the last import: ${saveError('ENOSPC: no space left on device')} — it can be tried again`]);
    // Put back, a secret the undo deleted goes to the end of the file: the same secrets, in another order.
    expect(JSON.parse(secretsFile())).toEqual(JSON.parse(imported.secrets));
    const now = await lists();
    const saved = (l: typeof now) => ({ servers: l.servers.map((e) => e.server), relays: l.relays.map((e) => e.relay) });
    expect(saved(now)).toEqual(saved(imported.lists));
    if (key === 'rules') expect(storeFile()).toBe(imported.store);
    else expect(now.rules.map((e) => e.rule.name)).toEqual(['Kept']);

    conf.fail = undefined;
    expect(await call('imports.undo')).toEqual({ removedRules: 3, restoredRules: 0, removedServers: 1, removedRelays: 1 });
    expect([storeFile(), secretsFile()]).toEqual([pre.store, pre.secrets]);
    const stored = new FileSecretStore(svc.dir);
    expect([stored.get(`ssh:${lab.server.id}:password`), stored.get(`relay:${edge.relay.id}:token`)]).toEqual(['pw-old', 'tok-old-for-the-tests']);
    await expect(refused('imports.undo')).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('undo puts back, byte for byte, the secrets of replaced items that this process cannot read (the desktop app keychain ciphertext)', async () => {
    const lab = await call<SshServerEntry>('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' } }, password: 'pw-old' });
    const edge = await call<RelayEntry>('relays.create', { relay: { name: 'Edge', host: 'edge.example', agentName: 'me' }, token: 'tok-old-for-the-tests' });
    const proxy = await call<RuleEntry>('rules.create', { type: 'socks', name: 'Proxy', enabled: false, listen: { host: '127.0.0.1', port: 29998 }, socks: { username: 'u' } });
    await call('rules.setSocksPassword', { id: proxy.rule.id, password: 'socks-old' });
    // As the desktop app stores them (Electron safeStorage): ciphertext this process, with the file codec, cannot read.
    const keys = [`ssh:${lab.server.id}:password`, `relay:${edge.relay.id}:token`, `socks:${proxy.rule.id}:password`];
    secrets!.setMany(keys.map((k, i) => [k, new StoredSecret(`v1:keychain:${Buffer.from(`desktop-ciphertext-${i}`).toString('base64')}`)]));
    const pre = JSON.parse(secretsFile()) as { entries: Record<string, string> };
    expect(keys.map((k) => [secrets!.get(k), secrets!.problem(k)])).toEqual(keys.map(() => [undefined, expect.stringContaining('keyring')]));
    const saved = await lists();

    const socks = { type: 'socks', name: 'Team proxy', listen: { host: '127.0.0.1', port: 29998 }, socks: { username: 'u', hasPassword: true }, socksPassword: 'socks-new' };
    const pv = await preview(doc('lab.json', { servers: [{ ...srv(0), name: 'Lab', password: 'pw-new' }], relays: [{ ...rly(0), name: 'Edge' }], rules: [socks] }));
    const replace = (kind: string, name: string) => ({ key: pv.items.find((i) => i.kind === kind && i.name === name)!.key, action: 'replace' });
    await call('imports.apply', { previewId: pv.id, decisions: [replace('server', 'Lab'), replace('relay', 'Edge'), replace('rule', 'Team proxy')] });
    expect(keys.map((k) => secrets!.get(k))).toEqual(['pw-new', 'token-0-for-the-tests', 'socks-new']);

    expect(await call('imports.undo')).toMatchObject({ restoredRules: 1 });
    expect(JSON.parse(secretsFile())).toEqual(pre);
    // The servers, relays and mappings read as before the import: each secret still there (the desktop app can read it), asked for again here.
    expect(await lists()).toEqual(saved);
    expect(saved.servers[0]).toMatchObject({ server: { auth: { method: 'password', hasPassword: false } }, error: { message: expect.stringContaining('keyring') } });
  });

  it('undo leaves a replaced server or relay deleted since the import deleted, and its secrets gone, instead of failing on it', async () => {
    const lab = await call<SshServerEntry>('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' } }, password: 'pw-old' });
    const edge = await call<RelayEntry>('relays.create', { relay: { name: 'Edge', host: 'edge.example', agentName: 'me' }, token: 'tok-old-for-the-tests' });
    const pv = await preview(doc('lab.json', { servers: [{ ...srv(0), name: 'Lab', password: 'pw-new' }], relays: [{ ...rly(0), name: 'Edge' }], rules: [viaServer(0), viaRelay(0)] }));
    const replace = (kind: string, name: string) => ({ key: pv.items.find((i) => i.kind === kind && i.name === name)!.key, action: 'replace' });
    await call('imports.apply', { previewId: pv.id, decisions: [replace('server', 'Lab'), replace('relay', 'Edge')] });
    for (const r of (await lists()).rules) await call('rules.remove', { id: r.rule.id });
    await call('servers.remove', { id: lab.server.id });
    await call('relays.remove', { id: edge.relay.id });

    expect(await call('imports.undo')).toEqual({ removedRules: 0, restoredRules: 0, removedServers: 0, removedRelays: 0 });
    const now = await lists();
    expect([now.servers, now.relays, now.rules]).toEqual([[], [], []]);
    expect(secretsFile() === '' ? {} : JSON.parse(secretsFile()).entries).toEqual({});
  });
  it('undo restores a replaced server whose jump host was deleted since the import, without that jump host', async () => {
    const jump = await call<SshServerEntry>('servers.create', { server: { name: 'Jump', host: 'jump.example', user: 'me', auth: { method: 'agent' } } });
    await call<SshServerEntry>('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'agent' }, jump: [jump.server.id] } });
    const pv = await preview(doc('lab.json', { servers: [{ ...srv(0), name: 'Lab', password: 'pw-new' }], rules: [viaServer(0)] }));
    const replace = pv.items.find((i) => i.kind === 'server' && i.name === 'Lab')!.key;
    await call('imports.apply', { previewId: pv.id, decisions: [{ key: replace, action: 'replace' }] });
    // The imported Lab has no jump host, so Jump can go.
    await call('servers.remove', { id: jump.server.id });

    expect(await call('imports.undo')).toMatchObject({ removedRules: 1, removedServers: 0 });
    const servers = (await lists()).servers.map((e) => e.server);
    expect(servers.map((s) => [s.name, s.host, s.jump])).toEqual([['Lab', 'lab.example', []]]);
  });
  it('undo keeps the imported version of a replaced mapping whose server was deleted since the import, and says so', async () => {
    const old = await call<SshServerEntry>('servers.create', { server: { name: 'Old', host: 'old.example', user: 'me', auth: { method: 'agent' } } });
    await call('rules.create', { type: 'ssh-local', name: 'Via 0', enabled: false, server: old.server.id, listen: { host: '127.0.0.1', port: 30000 }, target: { host: 'db', port: 5432 } });
    const pv = await preview(doc('via.json', { servers: [srv(0)], rules: [viaServer(0)] }));
    const replace = pv.items.find((i) => i.kind === 'rule' && i.name === 'Via 0')!.key;
    await call('imports.apply', { previewId: pv.id, decisions: [{ key: replace, action: 'replace' }] });
    // The imported Via 0 goes through Server 0, so Old can go.
    await call('servers.remove', { id: old.server.id });

    const undone = await call('imports.undo');
    expect(undone).toEqual({ removedRules: 0, restoredRules: 0, removedServers: 0, removedRelays: 0, keptRules: 1 });
    const now = await lists();
    expect(now.rules.map((e) => e.rule.name)).toEqual(['Via 0']);
    // Its server stays too: the kept mapping uses it.
    expect(now.servers.map((e) => e.server.name)).toEqual(['Server 0']);
  });
});
