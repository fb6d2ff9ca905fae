import { describe, expect, it } from 'vitest';
import type { ImportOutcome, ImportPreview } from '../../src-shared/model/import';
import { useServiceCore } from '../../test-support/service-core';

// Previews the host starts itself (porthole:// links, files opened with the app, tray drops, `porthole
// ui --import`) are kept until a window claims them: at a cold start the page subscribes only after
// its first render, and in browser mode no window may be open at all yet.

const profile = (name: string, port: number) => ({
  name,
  text: `${JSON.stringify({ porthole: 1, rules: [{ type: 'tcp-forward', name, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: 1 } }] })}\n`,
  origin: 'file' as const,
});

describe('host-started import previews', () => {
  const svc = useServiceCore();
  const { call } = svc;
  it('keeps a preview offered before anyone subscribed until a window claims it, and hands it out once', async () => {
    const offered = svc.core.imports.offer([profile('early', 40001)]);
    // The late subscriber: nothing arrives by event any more, the claim brings it.
    const heard: ImportPreview[] = [];
    const off = svc.core.api.subscribe('import-preview', (p) => heard.push(p));
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([offered]);
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([]);
    expect(heard).toEqual([]);
    off();
  });

  it('a window that got it live claims it by id; the others stay for the next window; applied ones are gone', async () => {
    const heard: ImportPreview[] = [];
    const off = svc.core.api.subscribe('import-preview', (p) => heard.push(p));
    const a = svc.core.imports.offer([profile('a', 40002)]);
    const b = svc.core.imports.offer([profile('b', 40003)]);
    const c = svc.core.imports.offer([profile('c', 40004)]);
    expect(heard.map((p) => p.id)).toEqual([a.id, b.id, c.id]);
    expect(await call<ImportPreview[]>('imports.claim', { ids: [a.id] })).toEqual([a]);
    await call<ImportOutcome>('imports.apply', { previewId: b.id, decisions: [] });
    expect(await call<ImportPreview[]>('imports.claim', {})).toEqual([c]);
    off();
  });

  it('refuses malformed claims', async () => {
    const r = await svc.core.api.handle('imports.claim', { ids: 'all' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
