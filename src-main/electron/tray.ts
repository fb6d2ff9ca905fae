import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStats } from '../../src-shared/model/stats';
import { emptyStats } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import type { ApiHost } from '../api/api-host';
import { buildTrayMenuModel, escapeMenuLabel, trayIconState, traySummary, trayTooltip } from './tray-model';
import type { ShellSettingKey, TrayIconState, TrayMenuItem } from './tray-model';

// The tray icon and its menu. State comes from the same API events the renderer gets; the menu is
// rebuilt from the pure model on every rule change (Linux only picks changes up through a fresh
// setContextMenu), and on stats ticks only when the tooltip text actually changed.

export interface TrayControllerOptions {
  api: ApiHost;
  iconDir: string;
  onShow: () => void;
  onQuit: () => void;
  /** Told when a tray action failed (the rule stays as it was); for the log. */
  onError?: (message: string) => void;
  /** Current desktop switches (start at login, notifications); omitted: no settings in the menu. */
  settings?: () => Record<ShellSettingKey, boolean>;
  /** The user flipped a switch; call refresh() after applying it (or failing to). */
  onSetting?: (key: ShellSettingKey, value: boolean) => void;
}

function loadIcon(dir: string, state: TrayIconState): NativeImage {
  // macOS: template glyphs (black + alpha) that the menu bar recolours; the @2x file is picked up
  // automatically by nativeImage from the same base name.
  if (process.platform === 'darwin') {
    const img = nativeImage.createFromPath(join(dir, `${state}Template.png`));
    img.setTemplateImage(true);
    return img;
  }
  return nativeImage.createFromPath(join(dir, `${state}.png`));
}

export class TrayController {
  private readonly tray: Tray;
  private readonly rules = new Map<string, Rule>();
  private readonly statuses = new Map<string, RuleStatus>();
  private stats: Record<string, RuleStats> = {};
  private iconState: TrayIconState = 'idle';
  private tooltip = '';
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly opts: TrayControllerOptions) {
    this.tray = new Tray(loadIcon(opts.iconDir, 'idle'));
    this.tray.setToolTip('Porthole');
    // Activation (left click on most desktops) shows the window; the menu is always there too,
    // because some Linux desktops never deliver `click` (StatusNotifierItem leaves it undefined).
    this.tray.on('click', () => opts.onShow());
    this.unsubscribes.push(
      opts.api.subscribe('rules-changed', (rules) => this.setRules(rules)),
      opts.api.subscribe('rule-state', (status) => {
        this.statuses.set(status.id, status);
        this.render();
      }),
      opts.api.subscribe('stats', (batch) => {
        this.stats = batch.rules;
        this.refreshTooltip();
      }),
    );
    this.render();
    void this.loadInitial();
  }

  private async loadInitial(): Promise<void> {
    const res = await this.opts.api.handle('rules.list', undefined);
    if (!res.ok) {
      this.opts.onError?.(`Tray could not list the mappings: ${res.error.message}`);
      return;
    }
    const entries = res.value as RuleEntry[];
    for (const e of entries) {
      // Events that arrived while the list was in flight are newer: keep them.
      if (!this.statuses.has(e.rule.id)) this.statuses.set(e.rule.id, e.status);
      if (!(e.rule.id in this.stats)) this.stats[e.rule.id] = e.stats;
    }
    if (this.rules.size === 0) this.setRules(entries.map((e) => e.rule));
    else this.render();
  }

  private setRules(rules: Rule[]): void {
    this.rules.clear();
    for (const r of rules) this.rules.set(r.id, r);
    for (const id of this.statuses.keys()) if (!this.rules.has(id)) this.statuses.delete(id);
    this.render();
  }

  private entries(): RuleEntry[] {
    return [...this.rules.values()].map((rule) => ({
      rule,
      status: this.statuses.get(rule.id) ?? { id: rule.id, state: 'stopped', since: 0 },
      stats: this.stats[rule.id] ?? emptyStats(),
    }));
  }

  private totalRate(): { rateIn: number; rateOut: number } {
    let rateIn = 0;
    let rateOut = 0;
    for (const id of this.rules.keys()) {
      rateIn += this.stats[id]?.rateIn ?? 0;
      rateOut += this.stats[id]?.rateOut ?? 0;
    }
    return { rateIn, rateOut };
  }

  private refreshTooltip(): void {
    const tip = trayTooltip(this.entries(), this.totalRate());
    if (tip === this.tooltip) return;
    this.render();
  }

  private render(): void {
    if (this.tray.isDestroyed()) return;
    const entries = this.entries();
    const state = trayIconState(entries);
    if (state !== this.iconState) {
      this.iconState = state;
      this.tray.setImage(loadIcon(this.opts.iconDir, state));
    }
    this.tooltip = trayTooltip(entries, this.totalRate());
    this.tray.setToolTip(this.tooltip);
    const settings = this.opts.settings?.();
    const model = buildTrayMenuModel(entries, { summary: traySummary(entries), ...(settings ? { settings } : {}) });
    this.tray.setContextMenu(Menu.buildFromTemplate(model.map((item) => this.toTemplate(item))));
  }

  private toTemplate(item: TrayMenuItem): MenuItemConstructorOptions {
    const label = 'label' in item ? escapeMenuLabel(item.label, process.platform) : undefined;
    switch (item.kind) {
      case 'checkbox':
        return {
          type: 'checkbox',
          label,
          checked: item.checked,
          // Electron has already flipped `checked` when click runs: that is what the user asked for.
          click: (menuItem) => void this.call('rules.setEnabled', { id: item.ruleId, enabled: menuItem.checked }),
        };
      case 'submenu':
        return { label, submenu: item.items.map((child) => this.toTemplate(child)) };
      case 'group-toggle':
        return { label, click: () => void this.call('rules.setGroupEnabled', { group: item.group, enabled: item.enabled }) };
      case 'setting':
        return { type: 'checkbox', label, checked: item.checked, click: (menuItem) => this.opts.onSetting?.(item.key, menuItem.checked) };
      case 'info':
        return { label, enabled: false };
      case 'show':
        return { label, click: () => this.opts.onShow() };
      case 'quit':
        return { label, click: () => this.opts.onQuit() };
      case 'separator':
        return { type: 'separator' };
    }
  }

  private async call(
    method: 'rules.setEnabled' | 'rules.setGroupEnabled',
    input: { id: string; enabled: boolean } | { group: string; enabled: boolean },
  ): Promise<void> {
    const res = await this.opts.api.handle(method, input);
    // A refused change leaves the checkbox showing the wrong value: redraw from the real state.
    if (!res.ok) {
      this.opts.onError?.(`Tray: ${method} failed: ${res.error.message}`);
      this.render();
      return;
    }
    // Don't wait for a rules-changed event to show the new switch position.
    const matches = (rule: Rule): boolean => ('id' in input ? rule.id === input.id : rule.group?.trim() === input.group);
    for (const [key, rule] of this.rules) if (matches(rule)) this.rules.set(key, { ...rule, enabled: input.enabled });
    this.render();
  }

  /** Redraws the menu (e.g. after a desktop switch was applied or refused). */
  refresh(): void {
    this.render();
  }

  destroy(): void {
    for (const u of this.unsubscribes.splice(0)) u();
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
