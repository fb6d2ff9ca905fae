import { join } from 'node:path';
import type { RuleEntry } from '../../src-shared/api';
import { formatRate } from '../../src-shared/format/units';
import { type ShownState, shownState, switchShowsOn } from '../../src-shared/model/status';

// The tray menu as plain data, so its logic is unit-tested without Electron; tray.ts turns it into
// a Menu. It is rebuilt whole from state on every change, since Linux (StatusNotifierItem) only picks
// up changes through a fresh setContextMenu.

export type TrayMenuItem =
  | { kind: 'checkbox'; ruleId: string; label: string; checked: boolean }
  | { kind: 'submenu'; label: string; items: TrayMenuItem[] }
  | { kind: 'group-toggle'; group: string; enabled: boolean; label: string }
  /** Switches every enabled mapping off; greyed out when none is on. */
  | { kind: 'all-off'; label: string; enabled: boolean }
  | { kind: 'info'; label: string }
  | { kind: 'setting'; key: ShellSettingKey; label: string; checked: boolean }
  | { kind: 'show'; label: string }
  | { kind: 'quit'; label: string }
  | { kind: 'separator' };

export type TrayIconState = 'idle' | 'active' | 'degraded' | 'error';

/** Desktop switches shown under the mappings (shell-settings.ts keeps them), in menu order. */
export const SHELL_SETTING_KEYS = ['startAtLogin', 'startHidden', 'notifications', 'secretsMemoryOnly'] as const;
export type ShellSettingKey = (typeof SHELL_SETTING_KEYS)[number];

export interface TrayLabels {
  show: string;
  quit: string;
  allOn: string;
  allOff: string;
  everythingOff: string;
  noRules: string;
  settings: Record<ShellSettingKey, string>;
  states: Partial<Record<ShownState, string>>;
}

export const DEFAULT_TRAY_LABELS: TrayLabels = {
  show: 'Show Porthole',
  quit: 'Quit Porthole',
  allOn: 'All on',
  allOff: 'All off',
  everythingOff: 'Turn everything off',
  noRules: 'No mappings yet',
  settings: {
    startAtLogin: 'Start at login',
    startHidden: 'Start hidden in the tray',
    notifications: 'Notifications',
    secretsMemoryOnly: "Don't save passwords on disk (no keyring)",
  },
  // Running needs no suffix: the tick says it is on. Stopped-but-enabled is a brief transition.
  states: { starting: 'starting', retrying: 'retrying', failed: 'failed', degraded: 'degraded' },
};

export interface TrayMenuOptions {
  labels?: Partial<TrayLabels>;
  /** A disabled first line (e.g. "2 of 3 mappings running") for desktops that never show tooltips. */
  summary?: string;
  /**
   * The desktop switches to show, with their values; a key left out is not shown (the secrets switch
   * only matters where there is no keyring). Without any the menu has no settings section.
   */
  settings?: Partial<Record<ShellSettingKey, boolean>>;
}

export interface TotalRate {
  rateIn: number;
  rateOut: number;
}

/** "web — failed": the rule name plus its state when the state needs attention. */
export function ruleLabel(entry: RuleEntry, labels: TrayLabels = DEFAULT_TRAY_LABELS): string {
  const suffix = labels.states[shownState(entry.status)];
  return suffix ? `${entry.rule.name} — ${suffix}` : entry.rule.name;
}

function groupOf(entry: RuleEntry): string | undefined {
  const g = entry.rule.group?.trim();
  return g ? g : undefined;
}

export function buildTrayMenuModel(entries: readonly RuleEntry[], opts: TrayMenuOptions = {}): TrayMenuItem[] {
  const labels: TrayLabels = { ...DEFAULT_TRAY_LABELS, ...opts.labels };
  const items: TrayMenuItem[] = [];
  if (opts.summary) items.push({ kind: 'info', label: opts.summary }, { kind: 'separator' });

  // Groups become submenus placed where their first rule appears; ungrouped rules stay top-level.
  const groups = new Map<string, TrayMenuItem[]>();
  for (const entry of entries) {
    const checkbox: TrayMenuItem = {
      kind: 'checkbox',
      ruleId: entry.rule.id,
      label: ruleLabel(entry, labels),
      // A failed mapping shows unchecked (its label says "failed"): checking it tries again.
      checked: switchShowsOn(entry.rule.enabled, entry.status),
    };
    const group = groupOf(entry);
    if (group === undefined) {
      items.push(checkbox);
      continue;
    }
    let members = groups.get(group);
    if (!members) {
      members = [];
      groups.set(group, members);
      items.push({ kind: 'submenu', label: group, items: members });
    }
    members.push(checkbox);
  }
  for (const [group, members] of groups) {
    members.push(
      { kind: 'separator' },
      { kind: 'group-toggle', group, enabled: true, label: labels.allOn },
      { kind: 'group-toggle', group, enabled: false, label: labels.allOff },
    );
  }
  if (entries.length === 0) items.push({ kind: 'info', label: labels.noRules });
  else items.push({ kind: 'separator' }, { kind: 'all-off', label: labels.everythingOff, enabled: entries.some((e) => e.rule.enabled) });

  const settings = opts.settings;
  const shown = settings ? SHELL_SETTING_KEYS.filter((key) => settings[key] !== undefined) : [];
  if (settings && shown.length > 0) {
    items.push({ kind: 'separator' });
    for (const key of shown) items.push({ kind: 'setting', key, label: labels.settings[key], checked: settings[key] === true });
  }

  items.push({ kind: 'separator' }, { kind: 'show', label: labels.show }, { kind: 'quit', label: labels.quit });
  return items;
}

function needsAttention(entry: RuleEntry): boolean {
  return entry.rule.enabled && (entry.status.state === 'failed' || entry.status.state === 'retrying');
}

/** Listening, but its target keeps refusing or not answering (issue 18). */
function isDegraded(entry: RuleEntry): boolean {
  return entry.rule.enabled && shownState(entry.status) === 'degraded';
}

/**
 * Which file shows a state (scripts/gen-tray-icons.mjs makes them): a template image on macOS (its
 * @2x twin is found by nativeImage), a multi-size .ico on Windows, a PNG elsewhere.
 */
export function trayIconFile(dir: string, state: TrayIconState, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return join(dir, `${state}Template.png`);
  if (platform === 'win32') return join(dir, `${state}.ico`);
  return join(dir, `${state}.png`);
}

/** error: an enabled rule is failed or retrying; degraded: one runs but its target fails; active: something is running; else idle. */
export function trayIconState(entries: readonly RuleEntry[]): TrayIconState {
  if (entries.some(needsAttention)) return 'error';
  if (entries.some(isDegraded)) return 'degraded';
  if (entries.some((e) => e.status.state === 'running')) return 'active';
  return 'idle';
}

/** "2 of 3 mappings running · 1 failing · 1 degraded" — counts only, stable between stats ticks. */
export function traySummary(entries: readonly RuleEntry[]): string {
  if (entries.length === 0) return 'No mappings';
  const running = entries.filter((e) => e.status.state === 'running').length;
  const noun = entries.length === 1 ? 'mapping' : 'mappings';
  const failing = entries.filter(needsAttention).length;
  const degraded = entries.filter(isDegraded).length;
  const base = `${running} of ${entries.length} ${noun} running`;
  return `${base}${failing > 0 ? ` · ${failing} failing` : ''}${degraded > 0 ? ` · ${degraded} degraded` : ''}`;
}

/** Windows keeps at most 127 characters of a tray tooltip (NOTIFYICONDATA.szTip) and cuts the rest. */
export const WINDOWS_TOOLTIP_MAX = 127;
const TOOLTIP_NAMES = 3;

/**
 * Tooltip: the summary, the total throughput and the names of the running mappings, in that order
 * so a cut (Windows) loses names first. Stats ticks change only the rate line.
 */
export function trayTooltip(entries: readonly RuleEntry[], totalRate: TotalRate, maxLength = Infinity): string {
  const lines = [`Porthole — ${traySummary(entries)}`];
  const running = entries.filter((e) => e.status.state === 'running').map((e) => e.rule.name);
  if (running.length > 0) {
    lines.push(`In ${formatRate(totalRate.rateIn)} · Out ${formatRate(totalRate.rateOut)}`);
    const more = running.length - TOOLTIP_NAMES;
    lines.push(`${running.slice(0, TOOLTIP_NAMES).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  const text = lines.join('\n');
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 1))}…`;
}

/**
 * macOS only: the text beside the menu-bar icon (ClashX-style). Up = client → target, down = target →
 * client (RuleStats' In and Out). Empty while nothing runs, so an idle app takes no menu-bar room.
 */
export function trayTitle(entries: readonly RuleEntry[], totalRate: TotalRate): string {
  if (!entries.some((e) => e.status.state === 'running')) return '';
  return `↑${formatRate(totalRate.rateIn)} ↓${formatRate(totalRate.rateOut)}`;
}

/**
 * Every platform reads `&` in menu labels as a mnemonic marker: Windows and Linux underline the next
 * letter, and Electron's macOS menus strip it too (Chromium's FixUpWindowsStyleLabel), so a rule named
 * "R&D" would show as "RD". Doubling it shows it literally everywhere.
 */
export function escapeMenuLabel(label: string): string {
  return label.replaceAll('&', '&&');
}
