import { Menu, nativeImage, Tray } from 'electron';
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStats } from '../../src-shared/model/stats';
import { emptyStats } from '../../src-shared/model/stats';
import type { RuleStatus } from '../../src-shared/model/status';
import type { ApiHost } from '../api/api-host';
import { throttle } from './throttle';
import type { Throttled } from './throttle';
import {
  buildTrayMenuModel,
  escapeMenuLabel,
  trayIconFile,
  trayIconState,
  traySummary,
  trayTitle,
  trayTooltip,
  WINDOWS_TOOLTIP_MAX,
} from './tray-model';
import type { ShellSettingKey, TrayIconState, TrayMenuItem } from './tray-model';
import { type LogLine, said } from '../../src-shared/model/log-text';

// The tray icon and its menu. State comes from the same API events the renderer gets. Every change
// goes through one throttled update: the icon, tooltip and (macOS) title are set when their text
// changed; the menu is rebuilt whole (Linux only picks changes up through a fresh setContextMenu) but
// only when its model changed, so 1 Hz stats ticks never rebuild an open menu.

export interface TrayControllerOptions {
  api: ApiHost;
  iconDir: string;
  onShow: () => void;
  onQuit: () => void;
  /** Told when a tray action failed (the rule stays as it was); for the log. */
  onError?: (message: string, line: LogLine) => void;
  /** Current desktop switches to show (keys left out are not shown); omitted: no settings in the menu. */
  settings?: () => Partial<Record<ShellSettingKey, boolean>>;
  /** The user flipped a switch; call refresh() after applying it (or failing to). */
  onSetting?: (key: ShellSettingKey, value: boolean) => void;
  /** Files dropped on the menu-bar icon (macOS): untrusted paths, for the import preview. */
  onDropFiles?: (paths: string[]) => void;
  /** Minimum time between two redraws. */
  throttleMs?: number;
  platform?: NodeJS.Platform;
}

function loadIcon(dir: string, state: TrayIconState, platform: NodeJS.Platform): NativeImage {
  const img = nativeImage.createFromPath(trayIconFile(dir, state, platform));
  // Black + alpha glyphs that the menu bar recolours; nativeImage picks up the @2x file by itself.
  if (platform === 'darwin') img.setTemplateImage(true);
  return img;
}

export class TrayController {
  private readonly tray: Tray;
  private readonly platform: NodeJS.Platform;
  private readonly rules = new Map<string, Rule>();
  private readonly statuses = new Map<string, RuleStatus>();
  private stats: Record<string, RuleStats> = {};
  private iconState: TrayIconState = 'idle';
  private tooltip = '';
  private title = '';
  /** JSON of the menu model last given to setContextMenu; undefined forces a rebuild. */
  private menuKey: string | undefined;
  private menu: Menu | undefined;
  private readonly update: Throttled;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly opts: TrayControllerOptions) {
    this.platform = opts.platform ?? process.platform;
    this.tray = new Tray(loadIcon(opts.iconDir, 'idle', this.platform));
    this.tray.setToolTip('Porthole');
    // Activation (left click on most desktops) shows the window; the menu is always there too,
    // because some Linux desktops never deliver `click` (StatusNotifierItem leaves it undefined).
    this.tray.on('click', () => opts.onShow());
    if (this.platform === 'darwin' && opts.onDropFiles) {
      const onDrop = opts.onDropFiles;
      this.tray.on('drop-files', (_event, files) => onDrop(files));
    }
    this.update = throttle(() => this.render(), opts.throttleMs ?? 250);
    this.unsubscribes.push(
      opts.api.subscribe('rules-changed', (rules) => this.setRules(rules)),
      opts.api.subscribe('rule-state', (status) => {
        this.statuses.set(status.id, status);
        this.update();
      }),
      opts.api.subscribe('stats', (batch) => {
        this.stats = batch.rules;
        this.update();
      }),
    );
    this.render();
    void this.loadInitial();
  }

  private async loadInitial(): Promise<void> {
    const res = await this.opts.api.handle('rules.list', undefined);
    if (!res.ok) {
      this.opts.onError?.(...said('trayListFailed', { error: res.error.message }));
      return;
    }
    const entries = res.value as RuleEntry[];
    for (const e of entries) {
      // Events that arrived while the list was in flight are newer: keep them.
      if (!this.statuses.has(e.rule.id)) this.statuses.set(e.rule.id, e.status);
      if (!(e.rule.id in this.stats)) this.stats[e.rule.id] = e.stats;
    }
    if (this.rules.size === 0) this.setRules(entries.map((e) => e.rule));
    else this.update();
  }

  private setRules(rules: Rule[]): void {
    this.rules.clear();
    for (const r of rules) this.rules.set(r.id, r);
    for (const id of this.statuses.keys()) if (!this.rules.has(id)) this.statuses.delete(id);
    this.update();
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

  private render(): void {
    if (this.tray.isDestroyed()) return;
    const entries = this.entries();
    const rate = this.totalRate();
    const state = trayIconState(entries);
    if (state !== this.iconState) {
      this.iconState = state;
      this.tray.setImage(loadIcon(this.opts.iconDir, state, this.platform));
    }
    const tooltip = trayTooltip(entries, rate, this.platform === 'win32' ? WINDOWS_TOOLTIP_MAX : Infinity);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    if (this.platform === 'darwin') {
      const title = trayTitle(entries, rate);
      if (title !== this.title) {
        this.title = title;
        // Digits of equal width: the text does not jitter as the rate changes every second.
        this.tray.setTitle(title, { fontType: 'monospacedDigit' });
      }
    }
    const settings = this.opts.settings?.();
    const model = buildTrayMenuModel(entries, { summary: traySummary(entries), ...(settings ? { settings } : {}) });
    const key = JSON.stringify(model);
    if (key === this.menuKey) return;
    this.menuKey = key;
    this.menu = Menu.buildFromTemplate(model.map((item) => this.toTemplate(item)));
    this.tray.setContextMenu(this.menu);
  }

  private toTemplate(item: TrayMenuItem): MenuItemConstructorOptions {
    const label = 'label' in item ? escapeMenuLabel(item.label) : undefined;
    switch (item.kind) {
      case 'checkbox':
        return {
          type: 'checkbox',
          label,
          checked: item.checked,
          // Electron has already flipped `checked` when click runs: that is what the user asked for.
          click: (menuItem) => void this.setEnabled([{ id: item.ruleId, enabled: menuItem.checked }]),
        };
      case 'submenu':
        return { label, submenu: item.items.map((child) => this.toTemplate(child)) };
      case 'group-toggle':
        return { label, click: () => void this.setGroup(item.group, item.enabled) };
      case 'all-off':
        return {
          label,
          enabled: item.enabled,
          click: () => void this.setEnabled([...this.rules.values()].filter((r) => r.enabled).map((r) => ({ id: r.id, enabled: false }))),
        };
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

  private async setEnabled(changes: Array<{ id: string; enabled: boolean }>): Promise<void> {
    const results = await Promise.all(changes.map((c) => this.opts.api.handle('rules.setEnabled', c)));
    results.forEach((res, i) => {
      const change = changes[i]!;
      if (!res.ok) {
        this.opts.onError?.(...said('traySwitchFailed', { state: change.enabled ? 'on' : 'off', error: res.error.message }));
        return;
      }
      // Don't wait for a rules-changed event to show the new switch position.
      const rule = this.rules.get(change.id);
      if (rule) this.rules.set(change.id, { ...rule, enabled: change.enabled });
    });
    this.redrawNow();
  }

  private async setGroup(group: string, enabled: boolean): Promise<void> {
    const res = await this.opts.api.handle('rules.setGroupEnabled', { group, enabled });
    if (!res.ok) this.opts.onError?.(...said('trayGroupFailed', { group, state: enabled ? 'on' : 'off', error: res.error.message }));
    else for (const [id, rule] of this.rules) if (rule.group?.trim() === group) this.rules.set(id, { ...rule, enabled });
    this.redrawNow();
  }

  /**
   * After a click the native checkbox already shows what the user asked for; when that was refused
   * the model may equal the last one built, so the menu is rebuilt regardless.
   */
  private redrawNow(): void {
    this.menuKey = undefined;
    this.update.cancel();
    this.render();
  }

  /** Redraws the menu (e.g. after a desktop switch was applied or refused). */
  refresh(): void {
    this.redrawNow();
  }

  /** The menu last handed to the tray (the Electron e2e project clicks its items). */
  currentMenu(): Menu | undefined {
    return this.menu;
  }

  /** What the tray shows now, for the Electron e2e project. */
  snapshot(): { icon: TrayIconState; tooltip: string; title: string } {
    return { icon: this.iconState, tooltip: this.tooltip, title: this.title };
  }

  destroy(): void {
    this.update.cancel();
    for (const u of this.unsubscribes.splice(0)) u();
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
