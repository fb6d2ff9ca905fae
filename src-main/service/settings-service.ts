import { type AppSettings, type SettingsUpdate, type SettingsView, type ShellPrefsHost } from '../../src-shared/model/settings';
import type { RuleStore } from '../store/rule-store';
import { ServiceError } from './service-error';

/** Settings: the app's own (kept with the rules) and, in the desktop app, the shell's switches. */
export class SettingsService {
  constructor(
    private readonly store: RuleStore,
    private readonly shell: ShellPrefsHost | undefined,
    private readonly applied: (s: AppSettings) => void,
    private readonly changed: (s: SettingsView) => void,
  ) {}

  get(): SettingsView {
    return { ...this.store.settings(), ...(this.shell ? { shell: this.shell.get() } : {}) };
  }

  async update(patch: SettingsUpdate): Promise<SettingsView> {
    const { shell, ...app } = patch;
    if (shell && Object.keys(shell).length > 0) {
      if (!this.shell) throw new ServiceError('INVALID_INPUT', 'Start at login, start hidden and notifications exist only in the desktop app', [{ path: 'shell', message: 'desktop app only' }]);
      try {
        await this.shell.set(shell);
      } catch (err) {
        throw new ServiceError('INTERNAL', `Could not keep that setting: ${(err as Error).message}`);
      }
    }
    const next: AppSettings = { ...this.store.settings(), ...Object.fromEntries(Object.entries(app).filter(([, v]) => v !== undefined)) };
    this.store.setSettings(next);
    this.applied(next);
    const view = this.get();
    this.changed(view);
    return view;
  }
}
