import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { ImportOutcome, ImportPreview, ImportSource } from '../../src-shared/model/import';
import type { SshServerEntry } from '../../src-shared/model/ssh';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import { readToEnd, waitFor } from '../../test-support/net-fixtures';
import { CountingConf, diskError } from '../../test-support/counting-stores';
import { useServiceCore } from '../../test-support/service-core';

// Many rules at once (an import, `porthole run --profile`) are saved in one write of the rule list and
// announced in one rules-changed, each still checked as if created one by one; a failed write leaves
// nothing of the batch behind.

const tcp = (name: string, port: number, target: number, extra: object = {}) => ({ type: 'tcp-forward', name, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: target }, ...extra });
const doc = (name: string, d: object): ImportSource => ({ name, text: JSON.stringify({ porthole: 1, ...d }) });

describe('rule batches', () => {
  /** Counts the writes of the rule list; its `fail` makes them throw. */
  let conf = new CountingConf();
  const svc = useServiceCore({
    options: () => {
      conf = new CountingConf();
      return { confFactory: conf.factory };
    },
  });
  const rulesWrites = () => conf.writes('rules');
  const failRules = (err: Error | undefined) => (conf.fail = err && ((key) => (key === 'rules' ? err : undefined)));
  const { net, call, refused } = svc;

  const preview = (...sources: ImportSource[]) => call<ImportPreview>('imports.preview', { sources });
  const rules = async () => (await call<RuleEntry[]>('rules.list')).map((e) => e.rule);
  const stateOf = (id: string) => svc.core.service.list().find((e) => e.rule.id === id)?.status.state;
  const storeFile = () => readFileSync(join(svc.dir, 'porthole.json'), 'utf8');
  const secretsFile = () => (existsSync(join(svc.dir, 'secrets.json')) ? readFileSync(join(svc.dir, 'secrets.json'), 'utf8') : '');
  const connectResult = (port: number) => net.connectOutcome(port);
  /** Counts rules-changed from now on. */
  const rulesChanged = () => {
    const seen: number[] = [];
    svc.core.service.on('rules-changed', (list) => seen.push(list.length));
    return seen;
  };
  async function freePorts(n: number): Promise<number[]> {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) ports.push(await net.freePort());
    return ports;
  }
  const draft = (name: string, port: number): RuleDraftParsed => RuleDraftSchema.parse(tcp(name, port, 9));

  it('an import of 50 mappings, started, writes the rule list once and sends one rules-changed; so does its undo', async () => {
    const echo = await net.echoServer();
    const ports = await freePorts(50);
    const pv = await preview(doc('many.json', { rules: ports.map((p, i) => tcp(`m${i}`, p, echo.port, { enabled: true })) }));
    const seen = rulesChanged();
    const writesBefore = rulesWrites();

    const outcome = await call<ImportOutcome>('imports.apply', { previewId: pv.id, decisions: [], start: true });
    expect(outcome).toMatchObject({ rules: 50, startedIds: outcome.ruleIds });
    expect(rulesWrites() - writesBefore).toBe(1);
    expect(seen).toEqual([50]);
    expect(JSON.parse(storeFile()).rules).toHaveLength(50);
    await waitFor(() => outcome.ruleIds.every((id) => stateOf(id) === 'running'), 'all 50 running');
    const s = await net.connect(ports[49]!);
    s.end('through the last one');
    expect((await readToEnd(s)).text).toBe('through the last one');

    await call('imports.undo');
    expect(rulesWrites() - writesBefore).toBe(2);
    expect(seen).toEqual([50, 0]);
    expect(await rules()).toEqual([]);
    expect(await connectResult(ports[0]!)).toBe('ECONNREFUSED');
  });

  it('a deleted mapping keeps its name in the log lines of its stopping (the log names a rule by its runner)', async () => {
    const [echo, q] = [await net.echoServer(), ...(await freePorts(1))];
    const x = await call<RuleEntry>('rules.create', tcp('Named X', q!, echo.port, { enabled: true }));
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running');
    const seqBefore = Math.max(0, ...svc.core.service.log.query({ ruleId: x.rule.id }).map((e) => e.seq));
    await call('rules.remove', { id: x.rule.id });
    const last = svc.core.service.log.query({ ruleId: x.rule.id }).filter((e) => e.seq > seqBefore);
    expect(last.length).toBeGreaterThan(0);
    expect(last.map((e) => e.ruleName)).toEqual(last.map(() => 'Named X'));
  });

  it('a failed write of the batch leaves porthole.json, secrets.json and every list as they were, names the file, and starts nothing', async () => {
    const [echo, q, ...ports] = [await net.echoServer(), ...(await freePorts(4))];
    const x = await call<RuleEntry>('rules.create', tcp('X', q!, echo.port, { enabled: true }));
    await call('servers.create', { server: { name: 'S', host: 's.example', user: 'me', auth: { method: 'password' } }, password: 'pw-S' });
    await waitFor(() => stateOf(x.rule.id) === 'running', 'X running');
    const before = { store: storeFile(), secrets: secretsFile(), rules: await rules(), servers: await call<SshServerEntry[]>('servers.list'), entries: svc.core.service.list().length };
    const pv = await preview(
      doc('team.json', {
        servers: [{ ref: 's', name: 'New server', host: 'new.example', user: 'me', auth: { method: 'password' }, password: 'pw-new' }],
        rules: [
          tcp('Takes over X', q!, echo.port, { enabled: true }),
          tcp('A', ports[0]!, echo.port, { enabled: true }),
          { type: 'socks', name: 'Proxy', enabled: true, listen: { host: '127.0.0.1', port: ports[1] }, socks: { username: 'u', hasPassword: true }, socksPassword: 'sx-new' },
          { type: 'ssh-local', name: 'Via server', server: 's', listen: { host: '127.0.0.1', port: ports[2] }, target: { host: 'db', port: 5432 } },
        ],
      }),
    );
    const seen = rulesChanged();
    failRules(diskError('EACCES', 'permission denied'));

    const err = await refused('imports.apply', { previewId: pv.id, decisions: [{ key: pv.items.find((i) => i.name === 'Takes over X')!.key, action: 'replace' }], start: true });
    expect(err).toEqual({ code: 'INTERNAL', message: `Could not save to ${join(svc.dir, 'porthole.json')}: EACCES: permission denied` });
    failRules(undefined);
    expect(seen).toEqual([]);
    expect(storeFile()).toBe(before.store);
    expect(secretsFile()).toBe(before.secrets);
    expect(await rules()).toEqual(before.rules);
    expect(await call<SshServerEntry[]>('servers.list')).toEqual(before.servers);
    expect(svc.core.service.list()).toHaveLength(before.entries);
    // The rule it would have replaced was never touched; nothing of the import listens.
    expect(stateOf(x.rule.id)).toBe('running');
    for (const p of ports.slice(0, 2)) expect(await connectResult(p)).toBe('ECONNREFUSED');
    await expect(refused('imports.undo')).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a batch whose second mapping listens where its first does is refused with the first one named, and writes nothing', async () => {
    const [p, other] = await freePorts(2);
    const pv = await preview(doc('two.json', { rules: [tcp('First', p!, 9), tcp('Other', other!, 9), tcp('Second', p!, 9)] }));
    const writesBefore = rulesWrites();
    const err = await refused('imports.apply', { previewId: pv.id, decisions: [{ key: pv.items.find((i) => i.name === 'Second')!.key, action: 'import' }] });
    expect(err).toMatchObject({ code: 'CONFLICT', message: `The mapping "First" already listens on 127.0.0.1:${p}` });
    expect(rulesWrites()).toBe(writesBefore);
    expect(await rules()).toEqual([]);

    // The same straight on the service: each staged change is checked against the earlier ones.
    const batch = svc.core.service.batch();
    batch.create(draft('First', p!));
    expect(() => batch.create(draft('Second', p!))).toThrow(`The mapping "First" already listens on 127.0.0.1:${p}`);
  });

  it('a batch sees its own updates and removals: a port given up earlier in the batch can be taken later in it', async () => {
    const [p, q, r] = await freePorts(3);
    const a = await call<RuleEntry>('rules.create', tcp('A', p!, 9));
    const b = await call<RuleEntry>('rules.create', tcp('B', q!, 9));
    const seen = rulesChanged();
    const writesBefore = rulesWrites();
    const batch = svc.core.service.batch();
    batch.update(a.rule.id, draft('A moved', r!));
    batch.remove(b.rule.id);
    const onP = batch.create(draft('On P', p!));
    batch.create(draft('On Q', q!));
    expect(() => batch.create(draft('Also on R', r!))).toThrow('The mapping "A moved" already listens on');
    expect(() => batch.update(b.rule.id, draft('B', q!))).toThrow(`No mapping with id ${b.rule.id}`);
    // A mapping created in the batch and removed again leaves no trace.
    const gone = batch.create(draft('Gone', 1));
    batch.remove(gone.id);
    await batch.commit();
    expect(rulesWrites() - writesBefore).toBe(1);
    expect(seen).toEqual([3]);
    expect((await rules()).map((x) => [x.name, 'listen' in x && x.listen.port])).toEqual([
      ['A moved', r],
      ['On P', p],
      ['On Q', q],
    ]);
    expect(svc.core.service.entryOf(onP.id).rule.name).toBe('On P');
    await expect(batch.commit()).rejects.toThrow('already committed');
  });

  it('of several holders of an address, the first in the list is named, as one at a time would', async () => {
    const [p] = await freePorts(1);
    const at = (name: string, host: string) => RuleDraftSchema.parse({ ...tcp(name, p!, 9), listen: { host, port: p } });
    const a = await call<RuleEntry>('rules.create', at('A', '127.0.0.2'));
    await call('rules.create', at('B', '127.0.0.3'));
    const batch = svc.core.service.batch();
    batch.create(at('C', '127.0.0.4'));
    expect(() => batch.create(at('Any', '0.0.0.0'))).toThrow(`The mapping "A" already listens on 127.0.0.2:${p}`);
    // A keeps its place when changed in the batch; once it listens elsewhere, B is the first holder.
    batch.update(a.rule.id, at('A', '127.0.0.5'));
    expect(() => batch.create(at('Any', '0.0.0.0'))).toThrow(`The mapping "A" already listens on 127.0.0.5:${p}`);
    batch.update(a.rule.id, draft('A', 1));
    expect(() => batch.create(at('Any', '0.0.0.0'))).toThrow(`The mapping "B" already listens on 127.0.0.3:${p}`);
  });

  it('a batch staged before another change of the rules is refused rather than saved unchecked', async () => {
    const [p] = await freePorts(1);
    const batch = svc.core.service.batch();
    batch.create(draft('Staged', p!));
    await call('rules.create', tcp('Meanwhile', p!, 9));
    await expect(batch.commit()).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await rules()).map((x) => x.name)).toEqual(['Meanwhile']);
  });

  it('switching many mappings on (`porthole run --profile`) is one write and one rules-changed; a failed write starts none', async () => {
    const echo = await net.echoServer();
    const ports = await freePorts(20);
    const ids: string[] = [];
    for (const [i, p] of ports.entries()) ids.push((await call<RuleEntry>('rules.create', tcp(`r${i}`, p, echo.port))).rule.id);
    const seen = rulesChanged();
    const writesBefore = rulesWrites();

    failRules(diskError('ENOSPC', 'no space left on device'));
    await expect(svc.core.service.setEnabledMany(ids, true)).rejects.toThrow(`Could not save to ${join(svc.dir, 'porthole.json')}: ENOSPC`);
    failRules(undefined);
    expect((await rules()).every((x) => !x.enabled)).toBe(true);
    expect(ids.every((id) => stateOf(id) === 'stopped')).toBe(true);
    expect(seen).toEqual([]);

    const statuses = await svc.core.service.setEnabledMany(ids, true);
    expect(statuses.map((s) => s.id)).toEqual(ids);
    expect(rulesWrites() - writesBefore).toBe(1);
    expect(seen).toEqual([20]);
    await waitFor(() => ids.every((id) => stateOf(id) === 'running'), 'all 20 running');
  });
});
