import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import { RuleSchema } from '../../src-shared/model/rule';
import { emptyStats } from '../../src-shared/model/stats';
import type { RuleState } from '../../src-shared/model/status';
import { buildTrayMenuModel, escapeMenuLabel, trayIconState, trayTooltip } from './tray-model';
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

  it('adds the Start at login and Notifications switches above Show and Quit when given', () => {
    const items = buildTrayMenuModel([entry('a')], { settings: { startAtLogin: false, notifications: true } });
    expect(items.slice(-6)).toEqual([
      { kind: 'separator' },
      { kind: 'setting', key: 'startAtLogin', label: 'Start at login', checked: false },
      { kind: 'setting', key: 'notifications', label: 'Notifications', checked: true },
      { kind: 'separator' },
      { kind: 'show', label: 'Show Porthole' },
      { kind: 'quit', label: 'Quit Porthole' },
    ]);
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
    expect(top).toEqual(['checkbox', 'submenu:Work', 'submenu:Home', 'separator', 'show', 'quit']);
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
});

describe('trayTooltip', () => {
  it('counts running mappings and failures', () => {
    const entries = [entry('a', { enabled: true, state: 'failed' }), entry('b'), entry('c', { enabled: true, state: 'starting' })];
    expect(trayTooltip(entries, { rateIn: 0, rateOut: 0 })).toBe('Porthole — 0 of 3 mappings running · 1 failing');
    expect(trayTooltip([], { rateIn: 0, rateOut: 0 })).toBe('Porthole — No mappings');
  });

  it('adds the total throughput while something runs', () => {
    const entries = [entry('a', { enabled: true, state: 'running' })];
    expect(trayTooltip(entries, { rateIn: 2048, rateOut: 512 })).toBe(
      'Porthole — 1 of 1 mapping running\nIn 2.00 KiB/s · Out 512 B/s',
    );
  });
});

describe('escapeMenuLabel', () => {
  it('doubles ampersands except on macOS', () => {
    expect(escapeMenuLabel('R&D', 'linux')).toBe('R&&D');
    expect(escapeMenuLabel('R&D', 'win32')).toBe('R&&D');
    expect(escapeMenuLabel('R&D', 'darwin')).toBe('R&D');
  });
});
