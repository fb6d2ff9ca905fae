import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { ExportOutput, ImportItem, ImportOutcome, ImportPreview, ImportSource, ImportUndoOutcome } from '../../src-shared/model/import';
import type { RelayEntry } from '../../src-shared/model/relay';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { NetFixtures, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { apiCall, apiRefusal } from '../../test-support/service-core';
import { tempDir } from '../../test-support/tmp';
import { confFactory } from '../store/conf-factories';
import { parseStoredSecret } from '../store/secret-tags';
import { type Core, createCore } from './core';

// Import preview → decisions → apply → undo through the API of a real core on a temp data dir, with
// real listeners where a mapping runs.

const CORPUS = fileURLToPath(new URL('../profiles/fixtures/corpus/', import.meta.url));

type Doc = { servers?: unknown[]; relays?: unknown[]; rules?: unknown[] };
const doc = (name: string, d: Doc): ImportSource => ({ name, text: `${JSON.stringify({ porthole: 1, ...d }, null, 2)}\n` });
const tcp = (name: string, port: number, target: number, extra: object = {}) => ({ type: 'tcp-forward', name, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: target }, ...extra });
const srv = (ref: string, name: string, host: string, extra: object = {}) => ({ ref, name, host, user: 'me', auth: { method: 'agent' }, ...extra });

describe('ImportService through the API', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  let net: NetFixtures;

  const open = (dataDir: string) => createCore({ dataDir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', extraKnownHosts: [] });
  beforeEach(async () => {
    t = tempDir();
    net = new NetFixtures();
    core = await open(t.dir);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await core.shutdown();
    await net.cleanup();
    t.cleanup();
  });

  const call = <T>(m: string, a?: unknown, on: Core = core) => apiCall<T>(on, m, a);
  const refused = (m: string, a?: unknown) => apiRefusal(core, m, a);
  const preview = (...sources: ImportSource[]) => call<ImportPreview>('imports.preview', { sources });
  const apply = (p: ImportPreview, decisions: Array<{ key: string; action: string; newName?: string }> = [], start?: boolean) =>
    call<ImportOutcome>('imports.apply', { previewId: p.id, decisions, ...(start !== undefined ? { start } : {}) });
  const item = (p: ImportPreview, kind: ImportItem['kind'], name: string) => p.items.find((i) => i.kind === kind && i.name === name)!;
  const rules = async () => (await call<RuleEntry[]>('rules.list')).map((e) => e.rule);
  const servers = async () => (await call<SshServerEntry[]>('servers.list')).map((e) => e.server);
  const relays = async () => (await call<RelayEntry[]>('relays.list')).map((e) => e.relay);
  const snapshot = async () => ({ rules: await rules(), servers: await servers(), relays: await relays() });
  const storeFile = () => readFileSync(join(t.dir, 'porthole.json'), 'utf8');
  const secretsFile = () => (existsSync(join(t.dir, 'secrets.json')) ? readFileSync(join(t.dir, 'secrets.json'), 'utf8') : '');
  /** secrets.json's entries, their storage tags (`v1:file:`) taken off. */
  const plain = (entries: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(entries).map(([k, v]) => {
        const p = parseStoredSecret(v);
        return [k, 'body' in p ? p.body : v];
      }),
    );
  const secrets = (): Record<string, string> => (secretsFile() ? plain((JSON.parse(secretsFile()) as { entries: Record<string, string> }).entries) : {});
  const stateOf = (id: string) => core.service.list().find((e) => e.rule.id === id)?.status.state;
  const echoThrough = async (port: number, text: string) => {
    const s = await net.connect(port);
    s.end(text);
    return (await readToEnd(s)).text;
  };

  it('a mapping whose name is taken is renamed "(2)" by default, "(3)" the next time, or as the person chose', async () => {
    const [a, b] = [await net.freePort(), await net.freePort()];
    await call('rules.create', tcp('Web', a, 1));
    const file = doc('web.json', { rules: [tcp('Web', b, 2)] });
    const p1 = await preview(file);
    const conflict = { kind: 'name', message: 'a mapping named "Web" exists', existingId: (await rules())[0]!.id };
    expect(p1.items).toEqual([
      {
        key: 'r:0:0',
        kind: 'rule',
        name: 'Web',
        summary: `tcp-forward 127.0.0.1:${b} → 127.0.0.1:2`,
        ruleType: 'tcp-forward',
        source: 'web.json',
        conflicts: [conflict],
        action: 'rename',
        actions: ['rename', 'replace', 'skip'],
        renameTo: 'Web (2)',
        listenAt: `127.0.0.1:${b}`,
        offLoopback: false,
        startsOn: false,
      },
    ]);
    expect(await apply(p1)).toMatchObject({ rules: 1, servers: 0, relays: 0, replaced: 0, skipped: 0, canUndo: true });
    expect((await rules()).map((r) => [r.name, 'listen' in r && r.listen.port])).toEqual([['Web', a], ['Web (2)', b]]);
    // The next import of a mapping named Web (on a free port again) finds both names taken.
    const c = await net.freePort();
    const p2 = await preview(doc('web.json', { rules: [tcp('Web', c, 2)] }), doc('more.json', { rules: [tcp('Web', await net.freePort(), 3)] }));
    expect(p2.items.map((i) => i.renameTo)).toEqual(['Web (3)', 'Web (4)']);
    await apply(p2, [{ key: p2.items[1]!.key, action: 'rename', newName: 'Web, staging' }]);
    expect((await rules()).map((r) => r.name)).toEqual(['Web', 'Web (2)', 'Web (3)', 'Web, staging']);
  });

  it('a listen-port conflict is skipped by default; replace puts the import in place of the holder, which then forwards to the new target (when started)', async () => {
    const [oldEcho, newEcho] = [await net.echoServer(), await net.server((s) => s.end('new target\n'))];
    const port = await net.freePort();
    const holder = await call<RuleEntry>('rules.create', tcp('DB', port, oldEcho.port, { enabled: true }));
    await waitFor(() => stateOf(holder.rule.id) === 'running', 'DB running');
    const file = doc('db.json', { rules: [tcp('Postgres', port, newEcho.port, { enabled: true })] });
    const p1 = await preview(file);
    expect(p1.items[0]).toMatchObject({ action: 'skip', actions: ['skip', 'replace'], conflicts: [{ kind: 'listen', existingId: holder.rule.id, message: `"DB" already listens on 127.0.0.1:${port}` }] });
    expect(await apply(p1)).toMatchObject({ rules: 0, replaced: 0, skipped: 1, ruleIds: [] });
    expect(await rules()).toEqual([holder.rule]);
    expect(await echoThrough(port, 'still old')).toBe('still old');

    const p2 = await preview(file);
    expect(await apply(p2, [{ key: p2.items[0]!.key, action: 'replace' }], true)).toMatchObject({ rules: 0, replaced: 1, skipped: 0, ruleIds: [holder.rule.id], startedIds: [holder.rule.id] });
    expect(await rules()).toEqual([{ ...holder.rule, name: 'Postgres', target: { host: '127.0.0.1', port: newEcho.port } }]);
    await waitFor(() => stateOf(holder.rule.id) === 'running', 'Postgres running');
    expect(await echoThrough(port, 'x')).toBe('new target\n');
  });

  it('two mappings of one import on the same port: the later is skipped by default, or imported instead of the earlier', async () => {
    const p = await net.freePort();
    const file = doc('two.json', { rules: [tcp('A on P', p, 9), tcp('B on P', p, 10), tcp('Elsewhere', await net.freePort(), 11)] });
    const pv = await preview(file);
    expect(item(pv, 'rule', 'A on P')).toMatchObject({ conflicts: [], action: 'import' });
    expect(item(pv, 'rule', 'B on P')).toMatchObject({ conflicts: [{ kind: 'listen-import' }], action: 'skip' });
    expect(item(pv, 'rule', 'Elsewhere').conflicts).toEqual([]);
    await apply(pv);
    expect((await rules()).map((r) => r.name).sort()).toEqual(['A on P', 'Elsewhere']);
    await call('imports.undo');
    const again = await preview(file);
    await apply(again, [
      { key: item(again, 'rule', 'A on P').key, action: 'skip' },
      { key: item(again, 'rule', 'B on P').key, action: 'import' },
    ]);
    expect((await rules()).map((r) => r.name).sort()).toEqual(['B on P', 'Elsewhere']);
  });

  it('the same SSH server (host, port, user) is reused, not saved twice; the same relay too', async () => {
    const saved = await call<SshServerEntry>('servers.create', { server: { name: 'My lab', host: 'lab.example.com', port: 2222, user: 'me', auth: { method: 'agent' } } });
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'My relay', host: 'relay.example.com', agentName: 'laptop' }, token: 'mine-mine-mine-mine' });
    const file = doc('lab.json', {
      servers: [srv('l', 'Lab', 'LAB.example.com', { port: 2222 })],
      relays: [{ ref: 'r', name: 'Relay', host: 'relay.example.com', agentName: 'laptop', token: 'theirs' }],
      rules: [
        { type: 'ssh-local', name: 'Lab DB', server: 'l', listen: { host: '127.0.0.1', port: await net.freePort() }, target: { host: 'db', port: 5432 } },
        { type: 'relay-expose', name: 'Lab web', relay: 'r', target: { host: '127.0.0.1', port: 80 } },
      ],
    });
    const p = await preview(file);
    expect(item(p, 'server', 'Lab')).toMatchObject({ action: 'reuse', actions: ['reuse', 'replace', 'rename'], conflicts: [{ kind: 'same-server', existingId: saved.server.id, message: 'the same server is saved as "My lab"' }] });
    expect(item(p, 'relay', 'Relay')).toMatchObject({ action: 'reuse', hasSecret: true, conflicts: [{ kind: 'same-relay', existingId: relay.relay.id }] });
    expect(await apply(p)).toMatchObject({ rules: 2, servers: 0, relays: 0 });
    expect(await servers()).toEqual([saved.server]);
    expect(await relays()).toEqual([relay.relay]);
    expect((await rules()).map((r) => ('server' in r ? r.server : r.type === 'relay-expose' ? r.relay : undefined))).toEqual([saved.server.id, relay.relay.id]);
    // Reusing keeps the saved token: the file's is not written over it.
    expect(secrets()[`relay:${relay.relay.id}:token`]).toBe('mine-mine-mine-mine');
  });

  it('a failure part-way (a second mapping on a port the first one took) undoes everything: porthole.json and secrets.json byte-identical', async () => {
    const [echo, q, p] = [await net.echoServer(), await net.freePort(), await net.freePort()];
    const x = await call<RuleEntry>('rules.create', tcp('X', q, echo.port, { enabled: true }));
    await call('servers.create', { server: { name: 'S', host: 's.example', user: 'me', auth: { method: 'password' } }, password: 'pw-S' });
    await call('relays.create', { relay: { name: 'R', host: 'r.example', agentName: 'me' }, token: 'tok-R-for-the-tests' });
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running');
    const before = { store: storeFile(), secrets: secretsFile(), lists: await snapshot() };

    const first = doc('first.json', {
      servers: [srv('n', 'New server', 'new.example', { auth: { method: 'password' }, password: 'pw-new' })],
      relays: [{ ref: 'r', name: 'New relay', host: 'relay.new.example', agentName: 'me', token: 'tok-new' }],
      rules: [
        { type: 'ssh-local', name: 'First on P', server: 'n', listen: { host: '127.0.0.1', port: p }, target: { host: 'db', port: 5432 } },
        tcp('Takes over Q', q, 9),
        { type: 'socks', name: 'Proxy', listen: { host: '127.0.0.1', port: await net.freePort() }, socks: { username: 'u', hasPassword: true }, socksPassword: 'sx-new' },
        { type: 'relay-expose', name: 'Out', relay: 'r', target: { host: '127.0.0.1', port: 80 } },
      ],
    });
    // The preview sees that two mappings of this import listen on P and skips the second by default;
    // the person insists on importing it, so apply fails part-way, once the first one exists.
    const second = doc('second.json', { rules: [tcp('Second on P', p, 9)] });
    const pv = await preview(first, second);
    const onP = item(pv, 'rule', 'Second on P');
    expect(onP).toMatchObject({
      conflicts: [{ kind: 'listen-import', existingId: item(pv, 'rule', 'First on P').key, message: `"First on P" in this import also listens on 127.0.0.1:${p}` }],
      action: 'skip',
      actions: ['skip', 'import'],
    });
    const err = await refused('imports.apply', {
      previewId: pv.id,
      decisions: [
        { key: item(pv, 'rule', 'Takes over Q').key, action: 'replace' },
        { key: onP.key, action: 'import' },
      ],
    });
    expect(err).toMatchObject({ code: 'CONFLICT', message: `The mapping "First on P" already listens on 127.0.0.1:${p}` });

    expect(storeFile()).toBe(before.store);
    expect(secretsFile()).toBe(before.secrets);
    expect(await snapshot()).toEqual(before.lists);
    // The replaced mapping runs again as it was.
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running again');
    expect(await echoThrough(q, 'back')).toBe('back');
    await expect(refused('imports.undo')).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('undo removes what the import created and restores what it replaced (mapping, server and relay, with their secrets)', async () => {
    const [echo, q] = [await net.echoServer(), await net.freePort()];
    const x = await call<RuleEntry>('rules.create', tcp('X', q, echo.port, { enabled: true }));
    await call('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' } }, password: 'pw-old' });
    await call('relays.create', { relay: { name: 'Edge', host: 'edge.example', agentName: 'me' }, token: 'tok-old-for-the-tests' });
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running');
    const before = { store: storeFile(), secrets: secrets(), lists: await snapshot() };

    const pv = await preview(
      doc('team.json', {
        servers: [srv('lab', 'Lab', 'lab2.example', { auth: { method: 'password' }, password: 'pw-new' })],
        relays: [{ ref: 'e', name: 'Edge', host: 'edge2.example', agentName: 'me', token: 'tok-new' }, { ref: 'n', name: 'Other', host: 'other.example', agentName: 'me' }],
        rules: [tcp('Takes over Q', q, 9), tcp('New one', await net.freePort(), 9), { type: 'relay-expose', name: 'Out', relay: 'n', target: { host: '127.0.0.1', port: 80 } }],
      }),
    );
    expect(item(pv, 'server', 'Lab')).toMatchObject({ action: 'rename', actions: ['rename', 'replace'], renameTo: 'Lab (2)', conflicts: [{ kind: 'name' }] });
    const outcome = await apply(pv, [
      { key: item(pv, 'server', 'Lab').key, action: 'replace' },
      { key: item(pv, 'relay', 'Edge').key, action: 'replace' },
      { key: item(pv, 'rule', 'Takes over Q').key, action: 'replace' },
    ]);
    expect(outcome).toMatchObject({ rules: 2, servers: 0, relays: 1, replaced: 3, skipped: 0, canUndo: true });
    expect((await servers()).map((s) => s.host)).toEqual(['lab2.example']);
    expect(secrets()).toMatchObject({ [`ssh:${before.lists.servers[0]!.id}:password`]: 'pw-new', [`relay:${before.lists.relays[0]!.id}:token`]: 'tok-new' });
    expect((await rules()).map((r) => r.name)).toEqual(['Takes over Q', 'New one', 'Out']);

    expect(await call<ImportUndoOutcome>('imports.undo')).toEqual({ removedRules: 2, restoredRules: 1, removedServers: 0, removedRelays: 1 });
    expect(await snapshot()).toEqual(before.lists);
    expect(secrets()).toEqual(before.secrets);
    expect(JSON.parse(storeFile())).toEqual(JSON.parse(before.store));
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running again');
    expect(await echoThrough(q, 'restored')).toBe('restored');
    await expect(refused('imports.undo')).resolves.toEqual({ code: 'NOT_FOUND', message: 'There is no import to undo' });
  });

  it('undo, and a failed import, put back the SOCKS password of a mapping they replaced', async () => {
    const port = await net.freePort();
    const proxy = await call<RuleEntry>('rules.create', { type: 'socks', name: 'Proxy', listen: { host: '127.0.0.1', port }, socks: { username: 'u' } });
    await call('rules.setSocksPassword', { id: proxy.rule.id, password: 'old-pw' });
    const key = `socks:${proxy.rule.id}:password`;
    const file = (...extra: object[]) =>
      doc('proxy.json', { rules: [{ type: 'socks', name: 'Team proxy', listen: { host: '127.0.0.1', port }, socks: { username: 'u', hasPassword: true }, socksPassword: 'new-pw' }, ...extra] });
    const replace = (p: ImportPreview) => [{ key: item(p, 'rule', 'Team proxy').key, action: 'replace' }];

    const p1 = await preview(file());
    await apply(p1, replace(p1));
    expect(secrets()[key]).toBe('new-pw');
    await call('imports.undo');
    expect((await rules())[0]).toMatchObject({ name: 'Proxy', socks: { username: 'u', hasPassword: true } });
    expect(secrets()[key]).toBe('old-pw');

    // The same when a later item fails: the replaced mapping gets its own password back.
    const q = await net.freePort();
    const p3 = await preview(file(tcp('On Q', q, 9)), doc('b.json', { rules: [tcp('Also on Q', q, 9)] }));
    const insist = { key: item(p3, 'rule', 'Also on Q').key, action: 'import' };
    await expect(refused('imports.apply', { previewId: p3.id, decisions: [...replace(p3), insist] })).resolves.toMatchObject({ code: 'CONFLICT' });
    expect(secrets()[key]).toBe('old-pw');
    expect((await rules()).map((r) => r.name)).toEqual(['Proxy']);
  });

  it('an unknown, used, evicted or expired preview is NOT_FOUND', async () => {
    const file = () => doc('a.json', { rules: [tcp('A', 1, 2)] });
    await expect(refused('imports.apply', { previewId: 'no-such-preview', decisions: [] })).resolves.toMatchObject({ code: 'NOT_FOUND', message: 'This import preview has expired — drop the files again' });
    const used = await preview(file());
    await apply(used);
    await expect(refused('imports.apply', { previewId: used.id })).resolves.toMatchObject({ code: 'NOT_FOUND' });
    // Ten previews are kept: the eleventh pushes out the oldest.
    const oldest = await preview(file());
    for (let i = 0; i < 10; i++) await preview(file());
    await expect(refused('imports.apply', { previewId: oldest.id })).resolves.toMatchObject({ code: 'NOT_FOUND' });
    // Thirty minutes later a preview has expired.
    const late = await preview(file());
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 30 * 60_000 + 1000 });
    await expect(refused('imports.apply', { previewId: late.id })).resolves.toMatchObject({ code: 'NOT_FOUND' });
    expect((await rules()).map((r) => r.name)).toEqual(['A']);
  });

  it('a decision with an action the item does not offer, or for an item not in the preview, is INVALID_INPUT and changes nothing', async () => {
    const pv = await preview(doc('a.json', { rules: [tcp('A', await net.freePort(), 2)] }));
    const store = storeFile();
    const key = pv.items[0]!.key;
    expect(pv.items[0]!.actions).toEqual(['import', 'skip']);
    await expect(refused('imports.apply', { previewId: pv.id, decisions: [{ key, action: 'replace' }] })).resolves.toEqual({
      code: 'INVALID_INPUT',
      message: '"A" cannot be imported with "replace" (choose import, skip)',
      issues: [{ path: 'decisions', message: 'not allowed for this item' }],
    });
    await expect(refused('imports.apply', { previewId: pv.id, decisions: [{ key: 'r:7:0', action: 'import' }] })).resolves.toMatchObject({ code: 'INVALID_INPUT', message: 'Unknown import item r:7:0' });
    await expect(refused('imports.apply', { previewId: pv.id, decisions: [{ key, action: 'delete' }] })).resolves.toMatchObject({ code: 'INVALID_INPUT' });
    expect(storeFile()).toBe(store);
    // The preview is still there for a valid choice.
    expect(await apply(pv, [{ key, action: 'skip' }])).toMatchObject({ rules: 0, skipped: 1 });
  });

  it('secrets read from a file go to the secret store, never into porthole.json or the preview', async () => {
    const sources = ['porthole/export-secrets.json', 'port-proxy/client.yaml'].map((f) => ({ name: f, text: readFileSync(join(CORPUS, f), 'utf8') }));
    const values = ['nas-Pw-5521', 'relay-Tok-8812-Lk4Q', 'socks-Pw-3391', 'hl-Secret-42'];
    const pv = await preview(...sources);
    expect(pv.files).toEqual([
      { name: 'porthole/export-secrets.json', format: 'porthole-json', warnings: [], origin: 'text' },
      { name: 'port-proxy/client.yaml', format: 'port-proxy-client', warnings: ['port-proxy/client.yaml:6: unknown key "reconnect" ignored', 'port-proxy/client.yaml:15: unknown key "note" ignored', expect.stringMatching(/^port-proxy\/client\.yaml: relay "homelab @ \[2001:db8::7\]:9015": its token has 12 characters and relays need at least 16/)], origin: 'text' },
    ]);
    expect(pv.items.filter((i) => i.hasSecret).map((i) => i.name)).toEqual(['NAS', 'Home relay', 'NAS SOCKS', 'homelab @ [2001:db8::7]:9015']);
    for (const v of values) expect(JSON.stringify(pv)).not.toContain(v);
    expect(await apply(pv)).toMatchObject({ rules: 5, servers: 1, relays: 2 });

    const [nas] = await servers();
    const [home, homelab] = await relays();
    const socks = (await rules()).find((r) => r.name === 'NAS SOCKS')!;
    expect(nas!.auth).toEqual({ method: 'password', hasPassword: true });
    expect([home!.hasToken, homelab!.hasToken]).toEqual([true, true]);
    expect(secrets()).toEqual({
      [`ssh:${nas!.id}:password`]: 'nas-Pw-5521',
      [`relay:${home!.id}:token`]: 'relay-Tok-8812-Lk4Q',
      [`relay:${homelab!.id}:token`]: 'hl-Secret-42',
      [`socks:${socks.id}:password`]: 'socks-Pw-3391',
    });
    for (const v of values) expect(storeFile()).not.toContain(v);
  });

  it('a file that cannot be read is reported in the preview with file:line; the others still import', async () => {
    const pv = await preview(doc('good.json', { rules: [tcp('Good', await net.freePort(), 2)] }), { name: 'bad.yaml', text: 'porthole: 1\nrules:\n  - type: tcp-forward\n    name: a\n    name: b\n' });
    expect(pv.files).toEqual([
      { name: 'good.json', format: 'porthole-json', warnings: [], origin: 'text' },
      { name: 'bad.yaml', error: 'bad.yaml:5: not valid YAML: Map keys must be unique', warnings: [], origin: 'text' },
    ]);
    expect(pv.items.map((i) => i.name)).toEqual(['Good']);
    expect(await apply(pv)).toMatchObject({ rules: 1 });
  });

  it("an export of this data dir imports into another as the same mappings, servers and relays, with secrets when asked", async () => {
    await call('servers.create', { server: { name: 'Bastion', host: 'bastion.example', user: 'ops', auth: { method: 'key', keyPath: '/k/id', hasPassphrase: false } }, passphrase: 'pp-b' });
    const bastion = (await servers())[0]!;
    await call('servers.create', { server: { name: 'Lab', host: 'lab.example', user: 'me', auth: { method: 'password' }, jump: [bastion.id] }, password: 'pw-lab' });
    const lab = (await servers()).find((s) => s.name === 'Lab')!;
    const relay = await call<RelayEntry>('relays.create', { relay: { name: 'Edge', host: 'edge.example', agentName: 'me' }, token: 'tok-e-for-the-tests' });
    await call('rules.create', { type: 'ssh-dynamic', name: 'SOCKS', server: lab.id, listen: { host: '::1', port: await net.freePort() }, socks: { username: 'u' } });
    await call('rules.create', { type: 'relay-expose', name: 'Out', relay: relay.relay.id, target: { host: '127.0.0.1', port: 80 }, remotePort: 20001 });
    await call('rules.create', tcp('Web', await net.freePort(), 80));
    const exported = await call<ExportOutput>('exports.build', { format: 'yaml', includeSecrets: true });

    const other = tempDir();
    const second = await open(other.dir);
    try {
      const pv = await call<ImportPreview>('imports.preview', { sources: [{ name: exported.fileName, text: exported.text }] }, second);
      await call('imports.apply', { previewId: pv.id }, second);
      const strip = <T extends { id: string }>(list: T[]) => list.map(({ id: _id, ...x }) => x);
      const theirs = { rules: await call<RuleEntry[]>('rules.list', undefined, second), servers: await call<SshServerEntry[]>('servers.list', undefined, second), relays: await call<RelayEntry[]>('relays.list', undefined, second) };
      const idMap = new Map([...theirs.servers.map((e, i) => [e.server.id, (i === 0 ? bastion : lab).id] as const), [theirs.relays[0]!.relay.id, relay.relay.id] as const]);
      expect(strip(theirs.servers.map((e) => ({ ...e.server, jump: e.server.jump.map((j) => idMap.get(j)!) })))).toEqual(strip([bastion, lab]));
      expect(strip(theirs.relays.map((e) => e.relay))).toEqual(strip(await relays()));
      const remap = theirs.rules.map((e) => ({ ...e.rule, ...('server' in e.rule ? { server: idMap.get(e.rule.server)! } : {}), ...(e.rule.type === 'relay-expose' ? { relay: idMap.get(e.rule.relay)! } : {}) }));
      expect(strip(remap)).toEqual(strip(await rules()));
      const theirSecrets = Object.values(plain((JSON.parse(readFileSync(join(other.dir, 'secrets.json'), 'utf8')) as { entries: Record<string, string> }).entries)).sort();
      expect(theirSecrets).toEqual(['pp-b', 'pw-lab', 'tok-e-for-the-tests']);
    } finally {
      await second.shutdown();
      other.cleanup();
    }
  });
});
