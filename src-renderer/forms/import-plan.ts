import type { ImportAction, ImportApplyInput, ImportConflict, ImportItem, ImportOutcome, ImportPreview, ImportUndoOutcome } from '../../src-shared/model/import';
import { language, t } from '../i18n/i18n';

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
  if (name === '') return t('importExport.rename.empty');
  if (name.length > MAX_NAME) return t('importExport.rename.tooLong', { max: MAX_NAME });
  if (name === item.name && item.conflicts.some((c) => c.kind === 'name')) return t('importExport.rename.taken');
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

/** The mappings "start after import" would switch on: chosen for import and switched on in their file. */
export function wouldStart(preview: ImportPreview, choices: Choices): ImportItem[] {
  if (!preview.canStart) return [];
  return preview.items.filter((i) => i.kind === 'rule' && i.startsOn === true && choiceOf(choices, i).action !== 'skip');
}

/** Whether Apply would change anything (reusing a saved server or relay alone does not). */
export function changesSomething(c: PlanCounts): boolean {
  return c.add.rules + c.add.servers + c.add.relays + c.replace > 0;
}

/** `3 mappings`, `1 SSH server`, `2 relays` in the UI language. */
export function countOf(kind: ImportItem['kind'], count: number): string {
  return kind === 'rule' ? t('importExport.count.mapping', { count }) : kind === 'server' ? t('importExport.count.server', { count }) : t('importExport.count.relay', { count });
}

/** `a, b and c` (in Chinese `a、b和c`). */
function list(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return t('importExport.list.and', { rest: parts.slice(0, -1).join(t('importExport.list.separator')), last: parts[parts.length - 1] ?? '' });
}

function what(rules: number, servers: number, relays: number): string[] {
  const parts: string[] = [];
  if (rules) parts.push(countOf('rule', rules));
  if (servers) parts.push(countOf('server', servers));
  if (relays) parts.push(countOf('relay', relays));
  return parts;
}

/** "Adds 3 mappings and 1 relay · replaces 1 · reuses 1 saved · skips 2" */
export function describePlan(c: PlanCounts): string {
  const parts: string[] = [];
  const added = what(c.add.rules, c.add.servers, c.add.relays);
  if (added.length) parts.push(t('importExport.plan.adds', { what: list(added) }));
  if (c.replace) parts.push(t('importExport.plan.replaces', { n: c.replace }));
  if (c.reuse) parts.push(t('importExport.plan.reuses', { n: c.reuse }));
  if (c.skip) parts.push(t('importExport.plan.skips', { n: c.skip }));
  if (parts.length === 0) return t('importExport.plan.nothing');
  const text = parts.join(t('importExport.plan.separator'));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The toast after an import, with whether its mappings were switched on (they arrive off unless started). */
export function describeOutcome(o: ImportOutcome): string {
  const text = outcomeText(o);
  if (o.ruleIds.length === 0) return text;
  const started = o.startedIds.length;
  return `${text}${t('importExport.plan.separator')}${started === 0 ? t('importExport.outcome.allOff') : t('importExport.outcome.started', { count: started })}`;
}

function outcomeText(o: ImportOutcome): string {
  const added = what(o.rules, o.servers, o.relays);
  if (added.length) {
    const extra = [o.replaced ? t('importExport.outcome.replaced', { n: o.replaced }) : '', o.skipped ? t('importExport.outcome.skipped', { n: o.skipped }) : ''].filter(Boolean);
    return extra.length
      ? t('importExport.outcome.importedWith', { what: list(added), extra: extra.join(t('importExport.list.clauses')) })
      : t('importExport.outcome.imported', { what: list(added) });
  }
  if (o.replaced) {
    return o.skipped
      ? t('importExport.outcome.replacedItemsSkipped', { count: o.replaced, skipped: o.skipped })
      : t('importExport.outcome.replacedItems', { count: o.replaced });
  }
  return t('importExport.outcome.nothing');
}

export function describeUndo(u: ImportUndoOutcome): string {
  const parts = what(u.removedRules, u.removedServers, u.removedRelays);
  const removed = parts.length ? t('importExport.undo.removed', { what: list(parts) }) : '';
  const restored = u.restoredRules ? t('importExport.undo.restored', { count: u.restoredRules }) : '';
  const kept = u.keptRules ? t('importExport.undo.kept', { count: u.keptRules }) : '';
  const done = [removed, restored, kept].filter(Boolean);
  return done.length ? t('importExport.undo.done', { what: done.join(t('importExport.list.clauses')) }) : t('importExport.undo.nothing');
}

const FORMATS = ['ssh-config', 'porthole-yaml', 'porthole-json', 'port-proxy-client', 'port-proxy-server', 'frpc-toml', 'frpc-ini', 'rathole-client', 'rathole-server'] as const;

function isKnownFormat(format: string): format is (typeof FORMATS)[number] {
  return (FORMATS as readonly string[]).includes(format);
}

/** The format a file was read as, by its code (an unknown code as it came). */
export function formatLabel(format: string): string {
  return isKnownFormat(format) ? t(`importExport.format.${format}`) : format;
}

export function actionLabel(action: ImportAction, kind: ImportItem['kind']): string {
  switch (action) {
    case 'import':
      return t('importExport.action.import');
    case 'skip':
      return t('importExport.action.skip');
    case 'rename':
      return t('importExport.action.rename');
    case 'replace':
      return t(`importExport.action.replace.${kind}`);
    case 'reuse':
      return kind === 'server' ? t('importExport.action.reuse.server') : t('importExport.action.reuse.relay');
  }
}

/** The heading of a kind's section in the preview (also its region's name). */
export function kindHeading(kind: ImportItem['kind']): string {
  return t(`importExport.kind.${kind}`);
}

/** What the host's conflict messages say, as it writes them, to take the names and addresses from. */
const NAME_TAKEN = /^an? [\w ]+ named "(.*)" exists(?: \((.*)\))?$/;
const LISTENS = /^"(.*)" already listens on (.+)$/;
const LISTENS_IN_IMPORT = /^"(.*)" in this import also listens on (.+)$/;
const SAME = /^the same (?:server|relay) is saved as "(.*)"$/;

/**
 * A conflict of an import item in the UI language. In English, the host's message as it came; in
 * another language, rendered again from the conflict's kind, with the names and addresses taken from
 * the message (a message worded otherwise gives the kind's text without them, or with the item's name).
 */
export function conflictText(conflict: ImportConflict, item: Pick<ImportItem, 'kind' | 'name'>): string {
  const { message } = conflict;
  if (language() === 'en') return message;
  switch (conflict.kind) {
    case 'name': {
      const m = NAME_TAKEN.exec(message);
      const text = t('importExport.conflict.name', { what: t(`importExport.conflict.noun.${item.kind}`), name: m?.[1] ?? item.name });
      return m?.[2] ? t('importExport.conflict.withDetail', { text, detail: m[2] }) : text;
    }
    case 'listen': {
      const m = LISTENS.exec(message);
      return m ? t('importExport.conflict.listen', { name: m[1] ?? '', address: m[2] ?? '' }) : t('importExport.conflict.listenOther');
    }
    case 'listen-import': {
      const m = LISTENS_IN_IMPORT.exec(message);
      return m ? t('importExport.conflict.listenImport', { name: m[1] ?? '', address: m[2] ?? '' }) : t('importExport.conflict.listenImportOther');
    }
    case 'same-server': {
      const m = SAME.exec(message);
      return m ? t('importExport.conflict.sameServer', { name: m[1] ?? '' }) : t('importExport.conflict.sameServerOther');
    }
    case 'same-relay': {
      const m = SAME.exec(message);
      return m ? t('importExport.conflict.sameRelay', { name: m[1] ?? '' }) : t('importExport.conflict.sameRelayOther');
    }
    default:
      return message;
  }
}
