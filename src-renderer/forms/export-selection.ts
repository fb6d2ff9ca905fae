import type { ExportRequest } from '../../src-shared/model/import';
import type { Rule } from '../../src-shared/model/rule';

// The Export dialog's checklist: mappings by group, and the request it turns into.

export type ExportFormat = ExportRequest['format'];

/** The labels are format names, the same in every language; the hints are importExport.export.hint.<value>. */
export const EXPORT_FORMATS: readonly { value: ExportFormat; label: string }[] = [
  { value: 'yaml', label: 'Porthole YAML' },
  { value: 'json', label: 'JSON' },
  { value: 'ssh-config', label: 'ssh_config' },
];

export interface ExportGroup {
  /** '' for the mappings without a group. */
  name: string;
  ids: string[];
}

/** The groups in list order (a group sits where its first mapping is), ungrouped mappings last. */
export function exportGroups(rules: readonly Pick<Rule, 'id' | 'group'>[]): ExportGroup[] {
  const byName = new Map<string, string[]>();
  for (const r of rules) {
    const name = r.group?.trim() ?? '';
    const ids = byName.get(name);
    if (ids) ids.push(r.id);
    else byName.set(name, [r.id]);
  }
  const groups = [...byName].map(([name, ids]) => ({ name, ids }));
  return [...groups.filter((g) => g.name !== ''), ...groups.filter((g) => g.name === '')];
}

export type CheckState = 'all' | 'some' | 'none';

export function checkState(ids: readonly string[], selected: ReadonlySet<string>): CheckState {
  const n = ids.filter((id) => selected.has(id)).length;
  return n === 0 ? 'none' : n === ids.length ? 'all' : 'some';
}

/** Checks or unchecks every id of `ids`. */
export function toggleAll(selected: ReadonlySet<string>, ids: readonly string[], on: boolean): Set<string> {
  const next = new Set(selected);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/**
 * The exports.build request for a selection: nothing named when every mapping is chosen (export all),
 * else the complete groups by name and the other mappings by id. Undefined when nothing is chosen.
 */
export function exportRequest(
  rules: readonly Pick<Rule, 'id' | 'group'>[],
  selected: ReadonlySet<string>,
  format: ExportFormat,
  includeSecrets: boolean,
): ExportRequest | undefined {
  const chosen = rules.filter((r) => selected.has(r.id));
  if (chosen.length === 0) return undefined;
  if (chosen.length === rules.length) return { format, includeSecrets };
  const groups = exportGroups(rules).filter((g) => g.name !== '' && checkState(g.ids, selected) === 'all');
  const inGroups = new Set(groups.flatMap((g) => g.ids));
  const ruleIds = chosen.filter((r) => !inGroups.has(r.id)).map((r) => r.id);
  return {
    format,
    includeSecrets,
    ...(groups.length > 0 ? { groups: groups.map((g) => g.name) } : {}),
    ...(ruleIds.length > 0 ? { ruleIds } : {}),
  };
}
