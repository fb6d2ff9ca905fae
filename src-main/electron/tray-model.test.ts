import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { RuleSchema } from '../../src-shared/model/rule';
import { emptyStats } from '../../src-shared/model/stats';
import type { RuleState } from '../../src-shared/model/status';
import { buildTrayMenuModel, escapeMenuLabel, trayIconState, traySummary, trayTitle, trayTooltip, WINDOWS_TOOLTIP_MAX } from './tray-model';
import type { TrayMenuItem } from './tray-model';

function entry(id: string, opts: { enabled?: boolean; state?: RuleState; group?: string; name?: string } = {}): RuleEntry {
  return {
    // Parsed, so the fixture keeps up with new defaulted fields in the schema.
    rule: RuleSchema.parse({
      id,
      name: opts.name ?? id,
      type: 'tcp-forward',
      enabled: opts.enabled ?? false,
      group: opts.group,
      listen: { host: '127.0.0.1', port: 8080 },
      target: { host: '10.0.0.2', port: 80 },
    }),
    status: { id, state: opts.state ?? 'stopped', since: 0 },
    stats: emptyStats(),
  };
}

const checkboxes = (items: TrayMenuItem[]) => items.filter((i) => i.kind === 'checkbox');

describe('buildTrayMenuModel', () => {
  it('gives each mapping a checkbox that reflects whether it is enabled', () => {
    const items = buildTrayMenuModel([entry('a', { enabled: true, state: 'running' }), entry('b')]);
    expect(checkboxes(items)).toEqual([
      { kind: 'checkbox', ruleId: 'a', label: 'a', checked: true },
      { kind: 'checkbox', ruleId: 'b', label: 'b', checked: false },
    ]);
  });

  it('adds the given desktop switches, in a fixed order, above Show and Quit', () => {
    const items = buildTrayMenuModel([entry('a')], { settings: { notifications: true, startHidden: false, startAtLogin: false } });
    expect(items.slice(-7)).toEqual([
      { kind: 'separator' },
      { kind: 'setting', key: 'startAtLogin', label: 'Start at login', checked: false },
      { kind: 'setting', key: 'startHidden', label: 'Start hidden in the tray', checked: false },
      { kind: 'setting', key: 'notifications', label: 'Notifications', checked: true },
      { kind: 'separator' },
      { kind: 'show', label: 'Show Porthole' },
      { kind: 'quit', label: 'Quit Porthole' },
    ]);
  });

  it('shows the secrets switch only when it is given (no keyring on this desktop)', () => {
    const labels = (settings: Parameters<typeof buildTrayMenuModel>[1]) =>
      buildTrayMenuModel([entry('a')], settings).flatMap((i) => (i.kind === 'setting' ? [i.key] : []));
    expect(labels({ settings: { notifications: true } })).toEqual(['notifications']);
    expect(labels({ settings: { notifications: true, secretsMemoryOnly: true } })).toEqual(['notifications', 'secretsMemoryOnly']);
    expect(labels({ settings: {} })).toEqual([]);
  });

  it('offers "Turn everything off", greyed out while nothing is on', () => {
    const allOff = (entries: RuleEntry[]) => buildTrayMenuModel(entries).find((i) => i.kind === 'all-off');
    expect(allOff([entry('a'), entry('b', { group: 'G' })])).toEqual({ kind: 'all-off', label: 'Turn everything off', enabled: false });
    expect(allOff([entry('a'), entry('b', { group: 'G', enabled: true })])).toMatchObject({ enabled: true });
    expect(allOff([])).toBeUndefined();
  });

  it('ends with a separator, Show Porthole and Quit Porthole', () => {
    const items = buildTrayMenuModel([entry('a')]);
    expect(items.slice(-3)).toEqual([
      { kind: 'separator' },
      { kind: 'show', label: 'Show Porthole' },
      { kind: 'quit', label: 'Quit Porthole' },
    ]);
  });

  it('suffixes the label with the state when it needs attention, not when running', () => {
    const items = buildTrayMenuModel([
      entry('web', { enabled: true, state: 'failed' }),
      entry('db', { enabled: true, state: 'retrying' }),
      entry('ssh', { enabled: true, state: 'starting' }),
      entry('ok', { enabled: true, state: 'running' }),
    ]);
    expect(checkboxes(items).map((i) => i.label)).toEqual(['web — failed', 'db — retrying', 'ssh — starting', 'ok']);
  });

  it('puts grouped mappings in a submenu per group with All on / All off, where the group first appears', () => {
    const items = buildTrayMenuModel([
      entry('solo'),
      entry('a', { group: 'Work', enabled: true }),
      entry('b', { group: 'Home' }),
      entry('c', { group: 'Work' }),
    ]);
    const top = items.map((i) => (i.kind === 'submenu' ? `submenu:${i.label}` : i.kind));
    expect(top).toEqual(['checkbox', 'submenu:Work', 'submenu:Home', 'separator', 'all-off', 'separator', 'show', 'quit']);
    const work = items.find((i) => i.kind === 'submenu' && i.label === 'Work');
    expect(work?.kind === 'submenu' && work.items).toEqual([
      { kind: 'checkbox', ruleId: 'a', label: 'a', checked: true },
      { kind: 'checkbox', ruleId: 'c', label: 'c', checked: false },
      { kind: 'separator' },
      { kind: 'group-toggle', group: 'Work', enabled: true, label: 'All on' },
      { kind: 'group-toggle', group: 'Work', enabled: false, label: 'All off' },
    ]);
  });

  it('keeps everything top-level when no rule has a group', () => {
    const items = buildTrayMenuModel([entry('a'), entry('b', { group: '  ' })]);
    expect(items.some((i) => i.kind === 'submenu')).toBe(false);
    expect(checkboxes(items)).toHaveLength(2);
  });

  it('says there are no mappings yet, and shows a summary line when asked', () => {
    const items = buildTrayMenuModel([], { summary: 'No mappings' });
    expect(items.slice(0, 3)).toEqual([
      { kind: 'info', label: 'No mappings' },
      { kind: 'separator' },
      { kind: 'info', label: 'No mappings yet' },
    ]);
  });
});

describe('trayIconState', () => {
  it('is idle when nothing runs', () => {
    expect(trayIconState([])).toBe('idle');
    expect(trayIconState([entry('a'), entry('b', { enabled: true, state: 'starting' })])).toBe('idle');
  });

  it('is active when a mapping runs', () => {
    expect(trayIconState([entry('a', { enabled: true, state: 'running' }), entry('b')])).toBe('active');
  });

  it('is error when an enabled mapping failed or is retrying, even if others run', () => {
    expect(trayIconState([entry('a', { enabled: true, state: 'running' }), entry('b', { enabled: true, state: 'failed' })])).toBe('error');
    expect(trayIconState([entry('b', { enabled: true, state: 'retrying' })])).toBe('error');
  });

  it('ignores a failure the user already switched off', () => {
    expect(trayIconState([entry('b', { enabled: false, state: 'failed' })])).toBe('idle');
  });

  it('is degraded when an enabled mapping runs but its target keeps failing, unless another one is in error', () => {
    const degraded = entry('d', { enabled: true, state: 'running' });
    degraded.status.degraded = { failures: 3, since: 1, error: { code: 'TARGET_REFUSED', message: 'refused', at: 1 } };
    expect(trayIconState([entry('a', { enabled: true, state: 'running' }), degraded])).toBe('degraded');
    expect(trayIconState([degraded, entry('b', { enabled: true, state: 'failed' })])).toBe('error');
    expect(traySummary([degraded, entry('a', { enabled: true, state: 'running' })])).toBe('2 of 2 mappings running · 1 degraded');
    expect(buildTrayMenuModel([degraded]).find((i) => i.kind === 'checkbox')).toMatchObject({ label: 'd — degraded', checked: true });
  });

  it('shows a failed mapping unchecked, so checking it starts it again', () => {
    expect(buildTrayMenuModel([entry('f', { enabled: true, state: 'failed' })]).find((i) => i.kind === 'checkbox')).toMatchObject({ label: 'f — failed', checked: false });
  });
});

describe('trayTooltip', () => {
  it('counts running mappings and failures', () => {
    const entries = [entry('a', { enabled: true, state: 'failed' }), entry('b'), entry('c', { enabled: true, state: 'starting' })];
    expect(trayTooltip(entries, { rateIn: 0, rateOut: 0 })).toBe('Porthole — 0 of 3 mappings running · 1 failing');
    expect(trayTooltip([], { rateIn: 0, rateOut: 0 })).toBe('Porthole — No mappings');
  });

  it('adds the total throughput and the running mappings while something runs', () => {
    const entries = [entry('a', { enabled: true, state: 'running', name: 'web' })];
    expect(trayTooltip(entries, { rateIn: 2048, rateOut: 512 })).toBe(
      'Porthole — 1 of 1 mapping running\nIn 2.00 KiB/s · Out 512 B/s\nweb',
    );
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => entry(id, { enabled: true, state: 'running' }));
    expect(trayTooltip(five, { rateIn: 0, rateOut: 0 }).split('\n')[2]).toBe('a, b, c and 2 more');
  });

  it('fits the Windows limit by cutting the end (names go first, counts and rate stay)', () => {
    const entries = ['a'.repeat(60), 'b'.repeat(60)].map((name, i) => entry(`r${i}`, { enabled: true, state: 'running', name }));
    const tip = trayTooltip(entries, { rateIn: 1, rateOut: 1 }, WINDOWS_TOOLTIP_MAX);
    expect(tip.length).toBe(WINDOWS_TOOLTIP_MAX);
    expect(tip.endsWith('…')).toBe(true);
    expect(tip.startsWith('Porthole — 2 of 2 mappings running\nIn 1 B/s · Out 1 B/s\n')).toBe(true);
  });
});

describe('trayTitle', () => {
  it('shows up/down rates beside the macOS icon while something runs, nothing otherwise', () => {
    expect(trayTitle([entry('a', { enabled: true, state: 'running' })], { rateIn: 2048, rateOut: 512 })).toBe('↑2.00 KiB/s ↓512 B/s');
    expect(trayTitle([entry('a', { enabled: true, state: 'failed' })], { rateIn: 5, rateOut: 5 })).toBe('');
  });
});

describe('escapeMenuLabel', () => {
  it('doubles every ampersand, with no platform exception (Electron strips a single & on macOS too)', () => {
    // The old rule left macOS labels alone, so "R&D" showed as "RD" in the menu bar.
    expect(escapeMenuLabel('R&D')).toBe('R&&D');
    expect(escapeMenuLabel('A && B')).toBe('A &&&& B');
    expect(escapeMenuLabel('plain')).toBe('plain');
  });
});
