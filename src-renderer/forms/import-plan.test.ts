import { describe, expect, it } from 'vitest';
import type { ImportItem, ImportPreview } from '../../src-shared/model/import';
import { changesSomething, conflictText, decisionsFrom, describeOutcome, describePlan, describeUndo, hasErrors, initialChoices, planCounts, renameError, wouldStart } from './import-plan';

const item = (key: string, patch: Partial<ImportItem> = {}): ImportItem => ({
  key,
  kind: 'rule',
  name: key,
  summary: 'tcp-forward 127.0.0.1:1 → h:2',
  source: 'f.yaml',
  conflicts: [],
  action: 'import',
  actions: ['import', 'skip'],
  ...patch,
});

const preview: ImportPreview = {
  id: 'p1',
  files: [{ name: 'f.yaml', format: 'porthole-yaml', warnings: [], origin: 'file' }],
  items: [
    item('s', { kind: 'server', action: 'reuse', actions: ['reuse', 'replace', 'rename'], renameTo: 's (2)', conflicts: [{ kind: 'same-server', message: 'same', existingId: 'x' }] }),
    item('web', { action: 'rename', actions: ['rename', 'replace', 'skip'], renameTo: 'web (2)', conflicts: [{ kind: 'name', message: 'a mapping named "web" exists', existingId: 'y' }] }),
    item('db', { action: 'skip', actions: ['skip', 'replace'], conflicts: [{ kind: 'listen', message: 'listens', existingId: 'z' }] }),
    item('new', { startsOn: true, listenAt: '0.0.0.0:1', offLoopback: true }),
    item('edge', { kind: 'relay' }),
  ],
  canStart: true,
};

describe('import plan', () => {
  it('"start after import" would switch on the chosen mappings the file has on, and nothing from a link', () => {
    const c = initialChoices(preview);
    expect(wouldStart(preview, c).map((i) => i.key)).toEqual(['new']);
    expect(wouldStart(preview, { ...c, new: { action: 'skip', newName: 'new' } })).toEqual([]);
    expect(wouldStart({ ...preview, canStart: false }, c)).toEqual([]);
  });

  it('starts from the host’s default actions and proposed names', () => {
    const c = initialChoices(preview);
    expect(c['web']).toEqual({ action: 'rename', newName: 'web (2)' });
    expect(c['new']).toEqual({ action: 'import', newName: 'new' });
    expect(describePlan(planCounts(preview, c))).toBe('Adds 2 mappings and 1 relay · reuses 1 saved · skips 1');
  });

  it('sends every decision, with the trimmed new name for a rename', () => {
    const c = { ...initialChoices(preview), web: { action: 'rename' as const, newName: '  web staging ' } };
    expect(decisionsFrom(preview, c)).toEqual([
      { key: 's', action: 'reuse' },
      { key: 'web', action: 'rename', newName: 'web staging' },
      { key: 'db', action: 'skip' },
      { key: 'new', action: 'import' },
      { key: 'edge', action: 'import' },
    ]);
  });

  it('needs a new name that is not the clashing one', () => {
    const web = preview.items[1]!;
    expect(renameError(web, { action: 'rename', newName: ' ' })).toBe('Enter the new name');
    expect(renameError(web, { action: 'rename', newName: 'web' })).toMatch(/taken/);
    expect(renameError(web, { action: 'skip', newName: '' })).toBeUndefined();
    expect(hasErrors(preview, { ...initialChoices(preview), web: { action: 'rename', newName: '' } })).toBe(true);
  });

  it('changes nothing when every item is skipped or reused', () => {
    const c = Object.fromEntries(preview.items.map((i) => [i.key, { action: i.actions.includes('reuse') ? ('reuse' as const) : ('skip' as const), newName: i.name }]));
    const counts = planCounts(preview, c);
    expect(changesSomething(counts)).toBe(false);
    expect(describePlan(counts)).toBe('Reuses 1 saved · skips 4');
    expect(changesSomething(planCounts(preview, { ...c, db: { action: 'replace', newName: 'db' } }))).toBe(true);
  });

  it('says what an import and its undo did', () => {
    expect(describeOutcome({ rules: 3, servers: 1, relays: 0, replaced: 1, skipped: 2, ruleIds: [], startedIds: [], canUndo: true })).toBe('Imported 3 mappings and 1 SSH server (replaced 1, skipped 2)');
    expect(describeOutcome({ rules: 1, servers: 0, relays: 0, replaced: 0, skipped: 0, ruleIds: [], startedIds: [], canUndo: true })).toBe('Imported 1 mapping');
    expect(describeOutcome({ rules: 0, servers: 0, relays: 0, replaced: 2, skipped: 0, ruleIds: [], startedIds: [], canUndo: true })).toBe('Replaced 2 items');
    // Mappings arrive switched off unless started: the toast says which.
    expect(describeOutcome({ rules: 2, servers: 0, relays: 0, replaced: 0, skipped: 0, ruleIds: ['a', 'b'], startedIds: [], canUndo: true })).toBe('Imported 2 mappings · switched off until you switch them on');
    expect(describeOutcome({ rules: 2, servers: 0, relays: 0, replaced: 0, skipped: 0, ruleIds: ['a', 'b'], startedIds: ['b'], canUndo: true })).toBe('Imported 2 mappings · 1 switched on');
    expect(describeUndo({ removedRules: 3, restoredRules: 1, removedServers: 0, removedRelays: 1 })).toBe('Undid the import: removed 3 mappings and 1 relay, restored 1 replaced mapping');
    expect(describeUndo({ removedRules: 1, restoredRules: 0, removedServers: 0, removedRelays: 0, keptRules: 1 })).toBe(
      'Undid the import: removed 1 mapping, kept 1 replaced mapping as imported (the server or relay of its old version was deleted since)',
    );
  });
});

describe('conflict texts in the UI language', () => {
  it('shows the host’s English in English and rebuilds each kind in Chinese from its parts', async () => {
    const { i18n } = await import('../i18n/i18n');
    const rule = { kind: 'rule' as const, name: 'B' };
    const sibling = { kind: 'listen-import' as const, existingId: 'r:0:0', message: '"A on P" in this import also listens on 127.0.0.1:8080' };
    const holder = { kind: 'listen' as const, existingId: 'x', message: '"Web" already listens on 127.0.0.1:8080' };
    expect(conflictText(sibling, rule)).toBe(sibling.message);
    await i18n.changeLanguage('zh-CN');
    try {
      expect(conflictText(sibling, rule)).toBe('本次导入中的“A on P”也监听 127.0.0.1:8080');
      expect(conflictText(holder, rule)).toBe('“Web”已在监听 127.0.0.1:8080');
      expect(conflictText({ ...sibling, message: 'worded differently' }, rule)).toBe('本次导入中的另一个映射监听相同的地址');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
