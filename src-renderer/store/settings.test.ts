import { describe, expect, it } from 'vitest';
import type { PortholeApi } from '../../src-shared/api/contract';
import type { SettingsUpdate, SettingsView } from '../../src-shared/model/settings';
import { createAppStore } from './app-store';
import { createSettingsController, emptySettings, patchFor, shownValue, type SettingsState } from './settings';
import { createStore } from 'zustand/vanilla';

const BASE: SettingsView = { theme: 'system', language: 'system', statsIntervalMs: 1000 };

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(initial: SettingsView = BASE) {
  const calls: { patch: SettingsUpdate; answer: ReturnType<typeof deferred<SettingsView>> }[] = [];
  let changed: ((v: SettingsView) => void) | undefined;
  let infoCalls = 0;
  const api = {
    app: {
      info: async () => {
        infoCalls++;
        return { name: 'Porthole', version: '0', mode: 'desktop', dataDir: '/d', storeBackend: 'conf', platform: 'linux', secretsBackend: 'memory only' };
      },
    },
    settings: {
      get: async () => initial,
      update: (patch: SettingsUpdate) => {
        const answer = deferred<SettingsView>();
        calls.push({ patch, answer });
        return answer.promise;
      },
    },
    on: {
      settingsChanged: (cb: (v: SettingsView) => void) => {
        changed = cb;
        return () => undefined;
      },
    },
  } as unknown as PortholeApi;
  const store = createStore<SettingsState>()(() => emptySettings());
  const applied: string[] = [];
  const ctl = createSettingsController(api, createAppStore(), store, { theme: (t) => applied.push(`theme=${t}`), language: (l) => applied.push(`lang=${l}`) });
  return { ctl, store, calls, applied, emit: (v: SettingsView) => changed?.(v), infoCalls: () => infoCalls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('settings controller', () => {
  it('applies a theme change at once and keeps it once the host confirms', async () => {
    const t = setup();
    await flush();
    expect(t.applied).toEqual(['theme=system', 'lang=system']);
    const p = t.ctl.change('theme', 'dark');
    expect(shownValue(t.store.getState(), 'theme')).toBe('dark');
    expect(t.applied.at(-1)).toBe('theme=dark');
    expect(t.calls[0]?.patch).toEqual({ theme: 'dark' });
    t.calls[0]!.answer.resolve({ ...BASE, theme: 'dark' });
    await p;
    expect(t.store.getState().pending).toEqual({});
    expect(shownValue(t.store.getState(), 'theme')).toBe('dark');
  });

  it('puts the value back and shows the host’s reason inline when a change is refused', async () => {
    const t = setup({ ...BASE, shell: { startAtLogin: false, startHidden: false, notifications: true, secretsMemoryOnly: false } });
    await flush();
    const p = t.ctl.change('startAtLogin', true);
    expect(t.calls[0]?.patch).toEqual({ shell: { startAtLogin: true } });
    expect(shownValue(t.store.getState(), 'startAtLogin')).toBe(true);
    t.calls[0]!.answer.reject(new Error('the login item could not be written'));
    await p;
    expect(shownValue(t.store.getState(), 'startAtLogin')).toBe(false);
    expect(t.store.getState().errors.startAtLogin).toBe('the login item could not be written');
  });

  it('follows settings-changed from other windows, while a change in flight here stays on screen', async () => {
    const t = setup();
    await flush();
    void t.ctl.change('statsIntervalMs', 2000);
    t.emit({ ...BASE, theme: 'light', statsIntervalMs: 1000 });
    const s = t.store.getState();
    expect(shownValue(s, 'theme')).toBe('light');
    expect(shownValue(s, 'statsIntervalMs')).toBe(2000);
    expect(t.applied.at(-1)).toBe('theme=light');
  });

  it('only the latest of two quick changes to one setting decides what stays', async () => {
    const t = setup();
    await flush();
    const a = t.ctl.change('statsIntervalMs', 500);
    const b = t.ctl.change('statsIntervalMs', 5000);
    t.calls[1]!.answer.resolve({ ...BASE, statsIntervalMs: 5000 });
    await b;
    t.calls[0]!.answer.reject(new Error('late failure'));
    await a;
    expect(shownValue(t.store.getState(), 'statsIntervalMs')).toBe(5000);
    expect(t.store.getState().errors.statsIntervalMs).toBeUndefined();
  });

  it('re-reads where secrets live when the memory-only switch changes', async () => {
    const shell = { startAtLogin: false, startHidden: false, notifications: true, secretsMemoryOnly: false };
    const t = setup({ ...BASE, shell });
    await flush();
    t.emit({ ...BASE, shell: { ...shell, secretsMemoryOnly: true } });
    await flush();
    expect(t.infoCalls()).toBe(1);
  });

  it('sends desktop switches inside `shell` and app settings at the top level', () => {
    expect(patchFor('notifications', false)).toEqual({ shell: { notifications: false } });
    expect(patchFor('language', 'zh-CN')).toEqual({ language: 'zh-CN' });
  });
});
