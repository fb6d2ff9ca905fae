import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Rule, RuleSchema } from '../../src-shared/model/rule';
import { tempDir } from '../../test-support/tmp';
import { confFactory } from './conf-factories';
import { type MigrationTable, RuleStore, STORE_SCHEMA_VERSION } from './rule-store';

const rule = (id: string, port: number): Rule =>
  RuleSchema.parse({
  id,
  type: 'tcp-forward',
  name: `rule ${id}`,
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port },
  target: { host: 'localhost', port: 80 },
  });

describe('RuleStore', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const open = (migrations?: MigrationTable, targetVersion?: number) =>
    RuleStore.open({ dataDir: t.dir, confFactory, migrations, targetVersion });

  it('round-trips rules through the file, keeping order, and writes the schema version', () => {
    const a = open();
    a.put(rule('a', 1001));
    a.put(rule('b', 1002));
    a.put({ ...rule('a', 1001), name: 'renamed' });
    const file = JSON.parse(readFileSync(join(t.dir, 'porthole.json'), 'utf8'));
    expect(file.schemaVersion).toBe(STORE_SCHEMA_VERSION);
    const b = open();
    expect(b.list().map((r) => [r.id, r.name])).toEqual([
      ['a', 'renamed'],
      ['b', 'rule b'],
    ]);
    expect(b.remove('a')).toBe(true);
    expect(b.remove('a')).toBe(false);
    expect(open().list().map((r) => r.id)).toEqual(['b']);
    expect(b.recovery).toBeUndefined();
  });

  it('puts and drops many rules in one write of the list, keeping its order', () => {
    const sets: string[] = [];
    const s = RuleStore.open({
      dataDir: t.dir,
      confFactory: (o) => {
        const conf = confFactory(o);
        return { path: conf.path, get: (k) => conf.get(k), set: (k, v) => (sets.push(k), conf.set(k, v)) };
      },
    });
    s.putRules([rule('a', 1001), rule('b', 1002), rule('c', 1003)]);
    s.putRules([rule('d', 1004), { ...rule('c', 1003), name: 'c2' }, { ...rule('a', 1001), name: 'a2' }], ['b']);
    expect(sets.filter((k) => k === 'rules')).toHaveLength(2);
    expect(open().list().map((r) => [r.id, r.name])).toEqual([
      ['a', 'a2'],
      ['c', 'c2'],
      ['d', 'rule d'],
    ]);
  });

  it('runs the migration hook once, step by step, from an older schema', () => {
    writeFileSync(
      join(t.dir, 'porthole.json'),
      JSON.stringify({ schemaVersion: 1, rules: [{ ...rule('x', 2000), name: undefined, title: 'old name' }] }),
    );
    let runs = 0;
    // v1 → v2 renames `title` to `name` (the shape of a real rename migration).
    const migrations: MigrationTable = {
      1: (doc) => {
        runs++;
        const rules = (doc.rules as Record<string, unknown>[]).map(({ title, ...r }) => ({ ...r, name: title }));
        return { ...doc, rules };
      },
    };
    const s = open(migrations, 2);
    expect(runs).toBe(1);
    expect(s.list()[0]?.name).toBe('old name');
    expect(JSON.parse(readFileSync(join(t.dir, 'porthole.json'), 'utf8')).schemaVersion).toBe(2);
    open(migrations, 2);
    expect(runs).toBe(1);
  });

  it('refuses a file from a newer Porthole instead of overwriting it', () => {
    const body = JSON.stringify({ schemaVersion: 99, rules: [] });
    writeFileSync(join(t.dir, 'porthole.json'), body);
    expect(() => open()).toThrow(/newer Porthole.*schema 99/);
    expect(readFileSync(join(t.dir, 'porthole.json'), 'utf8')).toBe(body);
  });

  it('moves a corrupt file aside, reports it, and starts empty without touching the copy', () => {
    writeFileSync(join(t.dir, 'porthole.json'), '{"rules": [ {"id": "a", ');
    const s = open();
    expect(s.list()).toEqual([]);
    expect(s.recovery?.reason).toMatch(/not valid JSON/);
    expect(s.recovery?.movedTo).toMatch(/porthole\.corrupt-.*\.json$/);
    expect(readFileSync(s.recovery!.movedTo, 'utf8')).toBe('{"rules": [ {"id": "a", ');
    s.put(rule('n', 3000));
    expect(open().list().map((r) => r.id)).toEqual(['n']);
  });

  it('keeps the valid rules of a partly invalid file and keeps the original aside', () => {
    const good = rule('good', 4000);
    const bad = { ...rule('bad', 4001), listen: { host: 'not a host!', port: 70000 } };
    writeFileSync(join(t.dir, 'porthole.json'), JSON.stringify({ schemaVersion: 1, rules: [good, bad] }));
    const s = open();
    expect(s.list().map((r) => r.id)).toEqual(['good']);
    expect(s.recovery?.reason).toMatch(/1 of 2 saved mappings were invalid/);
    expect(JSON.parse(readFileSync(s.recovery!.movedTo, 'utf8')).rules).toHaveLength(2);
    expect(readdirSync(t.dir).filter((f) => f.includes('corrupt'))).toHaveLength(1);
  });

  it('round-trips SSH servers and leaves out an invalid one with a report', () => {
    const a = open();
    a.putServer({ id: 's1', name: 'vps', host: 'example.org', port: 22, user: 'me', auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 15000, keepaliveCountMax: 3, hostKeyPolicy: 'ask' });
    expect(open().listServers().map((x) => x.name)).toEqual(['vps']);
    const file = join(t.dir, 'porthole.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.servers.push({ id: 's2', name: 'bad', host: 'no host!', user: 'x', auth: { method: 'agent' } });
    writeFileSync(file, JSON.stringify(doc));
    const b = open();
    expect(b.listServers().map((x) => x.id)).toEqual(['s1']);
    expect(b.recovery?.reason).toMatch(/1 of 2 saved servers were invalid/);
  });

  it('starts empty in a new data dir without creating a corrupt copy', () => {
    const s = open();
    expect(s.list()).toEqual([]);
    expect(s.recovery).toBeUndefined();
    expect(existsSync(join(t.dir, 'porthole.json'))).toBe(true);
  });
});
