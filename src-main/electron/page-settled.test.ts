import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type LoadingPage, pageSettled as settle } from './page-settled';

/** A WebContents stand-in: the events Electron emits, in the shapes electron.d.ts gives them. */
class FakePage extends EventEmitter {
  loading = true;
  destroyed = false;
  isLoading = () => this.loading;
  isDestroyed = () => this.destroyed;
}

const event = {};

function pageSettled(page: FakePage, timeoutMs?: number) {
  const asPage: LoadingPage = {
    isDestroyed: page.isDestroyed,
    isLoading: page.isLoading,
    on: (e, l) => page.on(e, l),
    removeListener: (e, l) => page.removeListener(e, l),
  };
  return settle(asPage, timeoutMs);
}

describe('pageSettled', () => {
  it('resolves at once for a page that already loaded, or is gone', async () => {
    const page = new FakePage();
    page.loading = false;
    expect(await pageSettled(page)).toBe('loaded');
    page.destroyed = true;
    expect(await pageSettled(page)).toBe('destroyed');
  });

  it('stops waiting when the main frame fails to load (it would never finish)', async () => {
    const page = new FakePage();
    const settled = pageSettled(page);
    // A subframe failing, or a load aborted by the next navigation, is no reason to stop.
    page.emit('did-fail-load', event, -105, 'ERR_NAME_NOT_RESOLVED', 'https://x/', false, 1, 1);
    page.emit('did-fail-load', event, -3, 'ERR_ABORTED', 'file:///index.html', true, 1, 1);
    page.emit('did-fail-load', event, -6, 'ERR_FILE_NOT_FOUND', 'file:///index.html', true, 1, 1);
    expect(await settled).toBe('failed');
    expect(page.eventNames()).toEqual([]);
  });

  it('stops waiting when the renderer crashes, and on a normal finish', async () => {
    const crashed = new FakePage();
    const a = pageSettled(crashed);
    crashed.emit('render-process-gone', event, { reason: 'crashed', exitCode: 139 });
    expect(await a).toBe('gone');
    const fine = new FakePage();
    const b = pageSettled(fine);
    fine.emit('did-finish-load');
    expect(await b).toBe('loaded');
    expect([...crashed.eventNames(), ...fine.eventNames()]).toEqual([]);
  });

  it('gives up after its deadline when nothing at all happens', async () => {
    const page = new FakePage();
    expect(await pageSettled(page, 20)).toBe('timeout');
    expect(page.eventNames()).toEqual([]);
  });
});
