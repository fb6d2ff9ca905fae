import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsView, ShellPrefs } from '../../src-shared/model/settings';
import type { StatsBatch } from '../../src-shared/model/stats';
import { apiCall } from '../../test-support/service-core';
import { tempDir } from '../../test-support/tmp';
import { confFactory } from '../store/conf-factories';
import { type Core, createCore } from './core';

describe('settings through the API', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core | undefined;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(async () => {
    await core?.shutdown();
    core = undefined;
    t.cleanup();
  });
  const open = async (shellPrefs?: Parameters<typeof createCore>[0]['shellPrefs']) =>
    (core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', ...(shellPrefs ? { shellPrefs } : {}) }));
  const call = apiCall;

  it('defaults, persists across restarts, and a new stats interval takes effect at once', async () => {
    const c = await open();
    expect(await call<SettingsView>(c, 'settings.get')).toEqual({ theme: 'system', language: 'system', statsIntervalMs: 1000 });
    const changed: SettingsView[] = [];
    c.api.subscribe('settings-changed', (s) => changed.push(s));
    await call(c, 'settings.update', { theme: 'dark', language: 'zh-CN', statsIntervalMs: 250 });
    expect(changed.at(-1)).toMatchObject({ theme: 'dark', language: 'zh-CN', statsIntervalMs: 250 });
    const batch = await new Promise<StatsBatch>((r) => c.api.subscribe('stats', r));
    expect(batch.intervalMs).toBe(250);
    await c.shutdown();
    const again = await open();
    expect(await call<SettingsView>(again, 'settings.get')).toMatchObject({ theme: 'dark', language: 'zh-CN', statsIntervalMs: 250 });
  });

  it('an update of one setting leaves the others as they were (as two windows send them)', async () => {
    const c = await open();
    await call(c, 'settings.update', { theme: 'dark' });
    await call(c, 'settings.update', { language: 'zh-CN' });
    await call(c, 'settings.update', { statsIntervalMs: 2000 });
    expect(await call<SettingsView>(c, 'settings.get')).toEqual({ theme: 'dark', language: 'zh-CN', statsIntervalMs: 2000 });
    await call(c, 'settings.update', { theme: 'light' });
    expect(await call<SettingsView>(c, 'settings.get')).toEqual({ theme: 'light', language: 'zh-CN', statsIntervalMs: 2000 });
  });

  it('refuses bad values and desktop-only switches in browser mode, changing nothing', async () => {
    const c = await open();
    const bad = await c.api.handle('settings.update', { statsIntervalMs: 5 });
    expect(bad.ok).toBe(false);
    const shell = await c.api.handle('settings.update', { shell: { startAtLogin: true } });
    expect(!shell.ok && shell.error.message).toMatch(/only in the desktop app/);
    expect(await call<SettingsView>(c, 'settings.get')).toEqual({ theme: 'system', language: 'system', statsIntervalMs: 1000 });
  });

  it('passes shell switches to the desktop shell and shows them', async () => {
    let prefs: ShellPrefs = { startAtLogin: false, startHidden: false, notifications: true, secretsMemoryOnly: false };
    const c = await open({ get: () => prefs, set: async (p) => (prefs = { ...prefs, ...p }) });
    const v = await call<SettingsView>(c, 'settings.update', { shell: { startAtLogin: true } });
    expect(v.shell).toEqual({ startAtLogin: true, startHidden: false, notifications: true, secretsMemoryOnly: false });
  });
});
