import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportOutcome, ImportPreview } from '../../src-shared/model/import';
import { tempDir } from '../../test-support/tmp';
import { confFactory } from '../store/conf-factories';
import { type Core, createCore } from './core';

// Previews the host starts itself (porthole:// links, files opened with the app, tray drops, `porthole
// ui --import`) are kept until a window claims them: at a cold start the page subscribes only after
// its first render, and in browser mode no window may be open at all yet.

const profile = (name: string, port: number) => ({
  name,
  text: `${JSON.stringify({ porthole: 1, rules: [{ type: 'tcp-forward', name, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: 1 } }] })}\n`,
  origin: 'file' as const,
});

describe('host-started import previews', () => {
  let t: ReturnType<typeof tempDir>;
  let core: Core;
  beforeEach(async () => {
    t = tempDir();
    core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', extraKnownHosts: [] });
  });
  afterEach(async () => {
    await core.shutdown();
    t.cleanup();
  });
  async function call<T>(m: string, a?: unknown): Promise<T> {
    const r = await core.api.handle(m, a);
    if (!r.ok) throw new Error(`${m}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  }

  it('keeps a preview offered before anyone subscribed until a window claims it, and hands it out once', async () => {
    const offered = core.imports.offer([profile('early', 40001)]);
    // The late subscriber: nothing arrives by event any more, the claim brings it.
    const heard: ImportPreview[] = [];
    const off = core.api.subscribe('import-preview', (p) => heard.push(p));
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([offered]);
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([]);
    expect(heard).toEqual([]);
    off();
  });

  it('a window that got it live claims it by id; the others stay for the next window; applied ones are gone', async () => {
    const heard: ImportPreview[] = [];
    const off = core.api.subscribe('import-preview', (p) => heard.push(p));
    const a = core.imports.offer([profile('a', 40002)]);
    const b = core.imports.offer([profile('b', 40003)]);
    const c = core.imports.offer([profile('c', 40004)]);
    expect(heard.map((p) => p.id)).toEqual([a.id, b.id, c.id]);
    expect(await call<ImportPreview[]>('imports.claim', { ids: [a.id] })).toEqual([a]);
    await call<ImportOutcome>('imports.apply', { previewId: b.id, decisions: [] });
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([c]);
    off();
  });

  it('refuses malformed claims', async () => {
    const r = await core.api.handle('imports.claim', { ids: 'all' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
