import type { ImportAction, ImportApplyInput, ImportItem, ImportOutcome, ImportPreview, ImportUndoOutcome } from '../../src-shared/model/import';

// The import preview's choices (one action per item, a new name for a rename), what they add up to,
// and the sentences the dialog and the toast say about them.

export interface ItemChoice {
  action: ImportAction;
  /** The name typed for a rename (kept when another action is chosen meanwhile). */
  newName: string;
}

export type Choices = Record<string, ItemChoice>;

const MAX_NAME = 80;

export function initialChoices(preview: ImportPreview): Choices {
  return Object.fromEntries(preview.items.map((i) => [i.key, { action: i.action, newName: i.renameTo ?? i.name }]));
}

export function choiceOf(choices: Choices, item: ImportItem): ItemChoice {
  return choices[item.key] ?? { action: item.action, newName: item.renameTo ?? item.name };
}

/** The rename field's error, if the item is renamed. */
export function renameError(item: ImportItem, choice: ItemChoice): string | undefined {
  if (choice.action !== 'rename') return undefined;
  const name = choice.newName.trim();
  if (name === '') return 'Enter the new name';
  if (name.length > MAX_NAME) return `At most ${MAX_NAME} characters`;
  if (name === item.name && item.conflicts.some((c) => c.kind === 'name')) return 'That name is taken — choose another';
  return undefined;
}

export function hasErrors(preview: ImportPreview, choices: Choices): boolean {
  return preview.items.some((i) => renameError(i, choiceOf(choices, i)) !== undefined);
}

export function decisionsFrom(preview: ImportPreview, choices: Choices): NonNullable<ImportApplyInput['decisions']> {
  return preview.items.map((item) => {
    const c = choiceOf(choices, item);
    return c.action === 'rename' ? { key: item.key, action: c.action, newName: c.newName.trim() } : { key: item.key, action: c.action };
  });
}

export interface PlanCounts {
  add: { rules: number; servers: number; relays: number };
  replace: number;
  skip: number;
  reuse: number;
}

export function planCounts(preview: ImportPreview, choices: Choices): PlanCounts {
  const counts: PlanCounts = { add: { rules: 0, servers: 0, relays: 0 }, replace: 0, skip: 0, reuse: 0 };
  for (const item of preview.items) {
    const { action } = choiceOf(choices, item);
    if (action === 'import' || action === 'rename') counts.add[item.kind === 'rule' ? 'rules' : item.kind === 'server' ? 'servers' : 'relays']++;
    else counts[action]++;
  }
  return counts;
}

/** Whether Apply would change anything (reusing a saved server or relay alone does not). */
export function changesSomething(c: PlanCounts): boolean {
  return c.add.rules + c.add.servers + c.add.relays + c.replace > 0;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function what(rules: number, servers: number, relays: number): string[] {
  const parts: string[] = [];
  if (rules) parts.push(plural(rules, 'mapping'));
  if (servers) parts.push(plural(servers, 'SSH server'));
  if (relays) parts.push(plural(relays, 'relay'));
  return parts;
}

/** "Adds 3 mappings and 1 relay · replaces 1 · reuses 1 saved · skips 2" */
export function describePlan(c: PlanCounts): string {
  const parts: string[] = [];
  const added = what(c.add.rules, c.add.servers, c.add.relays);
  if (added.length) parts.push(`Adds ${list(added)}`);
  if (c.replace) parts.push(`replaces ${c.replace}`);
  if (c.reuse) parts.push(`reuses ${c.reuse} saved`);
  if (c.skip) parts.push(`skips ${c.skip}`);
  if (parts.length === 0) return 'Nothing to import';
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function describeOutcome(o: ImportOutcome): string {
  const added = what(o.rules, o.servers, o.relays);
  const extra = [o.replaced ? `replaced ${o.replaced}` : '', o.skipped ? `skipped ${o.skipped}` : ''].filter(Boolean);
  const head = added.length ? `Imported ${list(added)}` : o.replaced ? `Replaced ${plural(o.replaced, 'item')}` : 'Nothing was imported';
  const tail = added.length && extra.length ? ` (${extra.join(', ')})` : !added.length && o.replaced && o.skipped ? ` (skipped ${o.skipped})` : '';
  return `${head}${tail}`;
}

export function describeUndo(u: ImportUndoOutcome): string {
  const parts = what(u.removedRules, u.removedServers, u.removedRelays);
  const removed = parts.length ? `removed ${list(parts)}` : '';
  const restored = u.restoredRules ? `restored ${plural(u.restoredRules, 'replaced mapping')}` : '';
  const done = [removed, restored].filter(Boolean);
  return done.length ? `Undid the import: ${done.join(', ')}` : 'Undid the import: nothing was left to remove';
}

const FORMATS: Record<string, string> = {
  'ssh-config': 'OpenSSH client config',
  'porthole-yaml': 'Porthole export (YAML)',
  'porthole-json': 'Porthole export (JSON)',
  'port-proxy-client': 'port-proxy client',
  'port-proxy-server': 'port-proxy server',
  'frpc-toml': 'frpc (TOML)',
  'frpc-ini': 'frpc (INI)',
  'rathole-client': 'rathole client',
};

export function formatLabel(format: string): string {
  return FORMATS[format] ?? format;
}

export function actionLabel(action: ImportAction, kind: ImportItem['kind']): string {
  switch (action) {
    case 'import':
      return 'Import';
    case 'skip':
      return 'Skip';
    case 'rename':
      return 'Import with a new name';
    case 'replace':
      return kind === 'rule' ? 'Replace the existing mapping' : kind === 'server' ? 'Replace the saved server' : 'Replace the saved relay';
    case 'reuse':
      return kind === 'server' ? 'Use the saved server' : 'Use the saved relay';
  }
}

export const KIND_HEADINGS: Record<ImportItem['kind'], string> = { server: 'SSH servers', relay: 'Relays', rule: 'Mappings' };
