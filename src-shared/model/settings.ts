import { z } from 'zod';

// App settings kept with the rules (theme, language, stats interval) and the desktop shell's own
// switches (start at login, start hidden, notifications, secrets without a keyring), which exist only
// in the desktop app: `shell` is absent in browser mode.

const settingFields = {
  /** `system` follows the OS light/dark preference. */
  theme: z.enum(['system', 'light', 'dark']),
  /** `system` picks from the OS locale (Simplified Chinese for zh*, else English). */
  language: z.enum(['system', 'en', 'zh-CN']),
  /** How often the stats event (and the graphs) update. */
  statsIntervalMs: z.number().int().min(250, 'at least 250 ms').max(10_000, 'at most 10 s'),
};

export const AppSettingsSchema = z
  .object({
    theme: settingFields.theme.default('system'),
    language: settingFields.language.default('system'),
    statsIntervalMs: settingFields.statsIntervalMs.default(1000),
  })
  .strict();
export type AppSettings = z.output<typeof AppSettingsSchema>;

export const ShellPrefsSchema = z
  .object({
    startAtLogin: z.boolean(),
    startHidden: z.boolean(),
    notifications: z.boolean(),
    /** Where the OS has no keyring: keep secrets in memory for the session instead of a plain file. */
    secretsMemoryOnly: z.boolean(),
  })
  .strict();
export type ShellPrefs = z.output<typeof ShellPrefsSchema>;

export interface SettingsView extends AppSettings {
  /** The desktop shell's switches; absent in browser mode. */
  shell?: ShellPrefs;
}

// Built from the fields without their defaults: zod's .partial() keeps a field's default, so a patch
// of one setting would silently reset the others to theirs.
export const SettingsUpdateSchema = z
  .object(settingFields)
  .partial()
  .extend({ shell: ShellPrefsSchema.partial().optional() })
  .strict();
export type SettingsUpdate = z.input<typeof SettingsUpdateSchema>;

/** The desktop shell's side of the settings (the Electron main process provides it). */
export interface ShellPrefsHost {
  get(): ShellPrefs;
  /** Applies and keeps the change (login item, tray, …); rejects if it could not be kept. */
  set(patch: Partial<ShellPrefs>): Promise<ShellPrefs>;
}

// ---- traffic kept on this machine ----

export interface TrafficTotals {
  bytesIn: number;
  bytesOut: number;
}

export interface RuleTraffic {
  ruleId: string;
  today: TrafficTotals;
  /** Since Monday 00:00, local time. */
  week: TrafficTotals;
  allTime: TrafficTotals;
}

/** Total rate of all rules over the last 15 minutes, one point per stats tick (oldest first). */
export interface RecentTraffic {
  ts: number[];
  rateIn: number[];
  rateOut: number[];
}
