import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { addressesOf } from '../forms/rule-address';
import { ruleTypeInfo } from '../forms/rule-types';

// The Mappings list as sections: rules grouped by their `group`, filtered by the search box and the
// tag filter. Pure, so the list re-computes it only when rules, statuses or the filters change.

export interface MappingFilter {
  /** Free text: every word must appear in the name, an address, a tag, the group or the type. */
  query: string;
  /** Only rules with this tag (case-insensitive); '' for all. */
  tag: string;
}

export interface MappingSection {
  /** null: the rules without a group. */
  group: string | null;
  /** The rules of this section that pass the filter, in the host's order. */
  ids: string[];
  /** Every rule of the group, filtered or not. */
  total: number;
  running: number;
  /** How many have their switch on. */
  enabled: number;
}

export interface MappingSections {
  sections: MappingSection[];
  /** Whether any rule has a group (else the list shows no group headers). */
  grouped: boolean;
  /** Rules that pass the filter. */
  shown: number;
}

const haystacks = new WeakMap<Rule, string>();

/** The lower-cased text search looks in; cached per rule object (objects change only when the rule does). */
export function ruleHaystack(rule: Rule): string {
  let text = haystacks.get(rule);
  if (text === undefined) {
    text = [rule.name, rule.group ?? '', ...rule.tags, ...addressesOf(rule), ruleTypeInfo(rule.type).tag, rule.type].join('\n').toLowerCase();
    haystacks.set(rule, text);
  }
  return text;
}

export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export function ruleMatches(rule: Rule, status: RuleStatus | undefined, words: readonly string[], tag: string): boolean {
  if (tag !== '' && !rule.tags.some((t) => t.toLowerCase() === tag.toLowerCase())) return false;
  if (words.length === 0) return true;
  const hay = ruleHaystack(rule);
  const bound = status?.boundAddress?.toLowerCase() ?? '';
  return words.every((w) => hay.includes(w) || bound.includes(w));
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });
}

/** Named groups alphabetically, then the rules without a group; empty sections are dropped while filtering. */
export function mappingSections(
  order: readonly string[],
  rules: Readonly<Record<string, Rule>>,
  statuses: Readonly<Record<string, RuleStatus>>,
  filter: MappingFilter,
): MappingSections {
  const words = queryWords(filter.query);
  const filtering = words.length > 0 || filter.tag !== '';
  const byGroup = new Map<string | null, MappingSection>();
  let shown = 0;
  for (const id of order) {
    const rule = rules[id];
    if (!rule) continue;
    const key = rule.group?.trim() ? rule.group.trim() : null;
    let section = byGroup.get(key);
    if (!section) {
      section = { group: key, ids: [], total: 0, running: 0, enabled: 0 };
      byGroup.set(key, section);
    }
    const status = statuses[id];
    section.total++;
    if (status?.state === 'running') section.running++;
    if (rule.enabled) section.enabled++;
    if (ruleMatches(rule, status, words, filter.tag)) {
      section.ids.push(id);
      shown++;
    }
  }
  const named = [...byGroup.values()].filter((s) => s.group !== null).sort((a, b) => byName(a.group ?? '', b.group ?? ''));
  const rest = byGroup.get(null);
  const sections = [...named, ...(rest ? [rest] : [])].filter((s) => !filtering || s.ids.length > 0);
  return { sections, grouped: named.length > 0, shown };
}

/** The ids in the order the list shows them, skipping collapsed groups (for ↑/↓). */
export function visibleIds(s: MappingSections, collapsed: Readonly<Record<string, boolean>>): string[] {
  return s.sections.flatMap((sec) => (s.grouped && collapsed[groupKey(sec.group)] ? [] : sec.ids));
}

/** A stable key for a section ('' cannot be a group name: the schema trims and the list treats blank as none). */
export function groupKey(group: string | null): string {
  return group ?? '';
}

/** Distinct group names, for the editor's suggestions. */
export function groupNames(rules: Readonly<Record<string, Rule>>): string[] {
  const names = new Map<string, string>();
  for (const r of Object.values(rules)) {
    const g = r.group?.trim();
    if (g && !names.has(g.toLowerCase())) names.set(g.toLowerCase(), g);
  }
  return [...names.values()].sort(byName);
}

/** Distinct tags with how many rules carry each, alphabetically. */
export function tagCounts(rules: Readonly<Record<string, Rule>>): { tag: string; count: number }[] {
  const counts = new Map<string, { tag: string; count: number }>();
  for (const r of Object.values(rules)) {
    for (const t of r.tags) {
      const c = counts.get(t.toLowerCase());
      if (c) c.count++;
      else counts.set(t.toLowerCase(), { tag: t, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => byName(a.tag, b.tag));
}

/** The next id for ↑ (-1) or ↓ (+1) from `current`; the first or last when nothing is selected. */
export function stepSelection(ids: readonly string[], current: string | null, delta: -1 | 1): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return delta > 0 ? (ids[0] ?? null) : (ids[ids.length - 1] ?? null);
  return ids[Math.min(ids.length - 1, Math.max(0, at + delta))] ?? null;
}
