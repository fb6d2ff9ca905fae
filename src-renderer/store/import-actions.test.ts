import { describe, expect, it } from 'vitest';
import type { ApiEvents, PortholeApi } from '../../src-shared/api/contract';
import type { ImportPreview, ImportSource } from '../../src-shared/model/import';
import type { FileLike } from '../lib/read-import-files';
import { createImportActions } from './import-actions';
import { createImportStore } from './imports';

const file = (name: string, text: string): FileLike => {
  const data = new TextEncoder().encode(text);
  return { name, size: data.byteLength, arrayBuffer: async () => data.slice().buffer };
};

function fakeApi(waiting: ImportPreview[] = []) {
  const sent: ImportSource[][] = [];
  const claims: Array<string[] | undefined> = [];
  let hostPreview: ((p: ApiEvents['import-preview']) => void) | undefined;
  const preview = (sources: ImportSource[]): ImportPreview => ({ id: `p${sent.length}`, files: sources.map((s) => ({ name: s.name, format: 'ssh-config', warnings: [], origin: 'text' })), items: [], canStart: true });
  const api = {
    imports: {
      preview: async (sources: ImportSource[]) => (sent.push(sources), preview(sources)),
      apply: async () => ({ rules: 2, servers: 1, relays: 0, replaced: 0, skipped: 0, ruleIds: ['a', 'b'], startedIds: [], canUndo: true }),
      undo: async () => ({ removedRules: 2, restoredRules: 0, removedServers: 1, removedRelays: 0 }),
      // The host's side of imports.claim: what no window took yet, handed out once.
      claim: async (ids?: string[]) => {
        claims.push(ids);
        const taken = waiting.filter((p) => ids === undefined || ids.includes(p.id));
        waiting = waiting.filter((p) => !taken.includes(p));
        return taken;
      },
    },
    on: {
      importPreview: (cb: (p: ApiEvents['import-preview']) => void) => {
        hostPreview = cb;
        return () => (hostPreview = undefined);
      },
    },
  } as unknown as PortholeApi;
  return { api, sent, claims, emit: (p: ImportPreview) => hostPreview?.(p) };
}

/** Lets the fake host's promises settle (no timers involved). */
async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !cond(); i++) await Promise.resolve();
  if (!cond()) throw new Error('condition not reached after 20 microtask turns');
}

describe('import actions', () => {
  it('sends only the files that passed, and keeps the refused ones for the dialog', async () => {
    const { api, sent } = fakeApi();
    const store = createImportStore();
    await createImportActions(api, store).previewFiles([file('config', 'Host a\n'), file('x.bin', 'a\0b')]);
    expect(sent).toEqual([[{ name: 'config', text: 'Host a\n' }]]);
    const session = store.getState().session;
    expect(session?.status === 'ready' && session.preview?.files.map((f) => f.name)).toEqual(['config']);
    expect(session?.status === 'ready' && session.refused.map((r) => r.name)).toEqual(['x.bin']);
  });

  it('asks the host nothing when every file is refused', async () => {
    const { api, sent } = fakeApi();
    const store = createImportStore();
    await createImportActions(api, store).previewFiles([file('x.bin', 'a\0b')]);
    expect(sent).toEqual([]);
    expect(store.getState().session).toEqual({ status: 'ready', preview: null, refused: [{ name: 'x.bin', reason: expect.any(String) }] });
  });

  it('drops an answer for a session the user closed', async () => {
    const { api } = fakeApi();
    const store = createImportStore();
    const pending = createImportActions(api, store).previewFiles([file('config', 'Host a\n')]);
    store.setState((s) => ({ session: null, serial: s.serial + 1 }));
    await pending;
    expect(store.getState().session).toBeNull();
  });

  it('shows previews the host starts, then the toast after apply, then what undo did', async () => {
    const { api, emit } = fakeApi();
    const store = createImportStore();
    const actions = createImportActions(api, store);
    const off = actions.followHostPreviews();
    emit({ id: 'h1', files: [{ name: 'porthole://import', format: 'porthole-yaml', warnings: [], origin: 'link' }], items: [], canStart: false });
    expect(store.getState().session).toMatchObject({ status: 'ready', preview: { id: 'h1' } });
    await actions.apply({ previewId: 'h1', decisions: [] });
    expect(store.getState().session).toBeNull();
    expect(store.getState().toast).toEqual({ kind: 'imported', text: 'Imported 2 mappings and 1 SSH server · switched off until you switch them on', canUndo: true });
    await actions.undo();
    expect(store.getState().toast).toEqual({ kind: 'undone', text: 'Undid the import: removed 2 mappings and 1 SSH server' });
    off();
  });

  it('shows a preview the host offered before this window subscribed, once', async () => {
    const early: ImportPreview = { id: 'cold', files: [{ name: 'frpc.toml', format: 'frpc', warnings: [], origin: 'file' }], items: [], canStart: true };
    const { api, claims } = fakeApi([early]);
    const store = createImportStore();
    const off = createImportActions(api, store).followHostPreviews();
    await waitUntil(() => store.getState().session?.status === 'ready');
    expect(store.getState().session).toMatchObject({ status: 'ready', preview: { id: 'cold' } });
    expect(claims).toEqual([undefined]);
    off();
    // A second window (or a reload) finds nothing left to show.
    const again = createImportStore();
    createImportActions(api, again).followHostPreviews();
    await Promise.resolve();
    await Promise.resolve();
    expect(again.getState().session).toBeNull();
  });

  it('claims a preview it got live, and does not show it twice when the claim of the waiting ones returns it too', async () => {
    const live: ImportPreview = { id: 'live', files: [{ name: 'x.yaml', format: 'porthole-yaml', warnings: [], origin: 'link' }], items: [], canStart: false };
    const { api, claims, emit } = fakeApi([live]);
    const store = createImportStore();
    createImportActions(api, store).followHostPreviews();
    emit(live);
    const serial = store.getState().serial;
    await waitUntil(() => claims.length === 2);
    await Promise.resolve();
    expect(claims).toEqual([undefined, ['live']]);
    expect(store.getState().serial).toBe(serial);
    expect(store.getState().session).toMatchObject({ preview: { id: 'live' } });
  });

  it('names pasted text "clipboard" and refuses empty text without asking the host', async () => {
    const { api, sent } = fakeApi();
    const store = createImportStore();
    const actions = createImportActions(api, store);
    expect(await actions.previewText('  ')).toBe('Paste a config first');
    expect(sent).toEqual([]);
    expect(await actions.previewText('Host a\n')).toBeUndefined();
    expect(sent).toEqual([[{ name: 'clipboard', text: 'Host a\n' }]]);
  });
});
