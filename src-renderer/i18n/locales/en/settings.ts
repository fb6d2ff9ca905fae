// The Settings view (appearance, live statistics, desktop switches, secrets).
// Language names are not here: each is shown in its own language whatever the UI language.
export const settings = {
  settings: {
    loading: 'Loading settings…',
    loadError: 'Could not load the settings: {{error}}',
    couldNotChange: 'Could not change this: {{error}}',
    saving: 'Saving…',
    appearance: 'Appearance',
    theme: {
      label: 'Theme',
      hint: 'System follows the light or dark mode of your OS.',
      system: 'System',
      light: 'Light',
      dark: 'Dark',
    },
    language: {
      label: 'Language',
      hint: 'System picks Simplified Chinese for a Chinese OS, English otherwise.',
      system: 'System',
    },
    liveStats: 'Live statistics',
    interval: {
      label: 'Update interval',
      hint: 'How often rates, graphs and counters refresh. Shorter is smoother; longer uses less CPU. Traffic history counts every byte either way.',
      seconds: '{{value}} s',
      custom: '{{interval}} (custom)',
    },
    desktop: {
      title: 'Desktop app',
      only: 'Desktop app only',
      aside: 'these switches belong to the desktop app.',
      asideBrowser: 'This is browser mode: these switches belong to the desktop app.',
      startAtLogin: 'Start at login',
      startAtLoginHint: 'Open Porthole when you sign in, so enabled mappings come up by themselves.',
      startHidden: 'Start hidden',
      startHiddenHint: 'Start in the tray without opening this window.',
      notifications: 'Notifications',
      notificationsHint: 'Tell me when a mapping fails or comes back (repeated flapping is grouped).',
    },
    secrets: {
      title: 'Secrets',
      where: 'Where passwords and passphrases are kept',
      unknown: 'Unknown',
      memoryOnly: 'Keep secrets in memory only when there is no keyring',
      memoryOnlyHint:
        'Only matters where the OS has no keyring: passwords are then kept until Porthole quits (you are asked again after a restart) instead of in a file only your user can read.',
      // What the host reports as its secrets backend (src-main secret-store.ts / secret-codec.ts), in English.
      backend: {
        file: 'file readable only by you (secrets.json, mode 0600)',
        noKeyringFile: '{{file}} — this desktop has no keyring Porthole can use',
        memory: 'memory only, until Porthole quits — this desktop has no keyring, and saving passwords in a plain file is switched off (tray menu)',
        encryptedWith: 'encrypted with {{keyring}}',
        encryptedWithDesktop: 'encrypted with the desktop keyring ({{name}})',
      },
    },
  },
} as const;
