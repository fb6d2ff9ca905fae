import { test as base, expect, type Page } from '@playwright/test';
import { TestApi } from './api';
import { type Host, startHost, tempDataDir } from './host';

// The host lifecycle every browser-mode spec needs, in one place: a temp data dir, `porthole ui` (the
// real built CLI) started on it when a test asks, an API client signed in to it, and cleanup in the
// right order (API socket, host process, data dir) whether the test passed or not. A failed test gets
// the host's output attached, since that is usually where the reason is.
//
// For a new spec: `import { test, expect } from './support/fixtures'` and ask for what it needs —
//   test('…', async ({ page, host, api }) => { await page.goto(host.url); … })   started with defaults
//   test('…', async ({ porthole }) => { await porthole.start(['--listen', '0.0.0.0:0']); … })  own args
//   test('…', async ({ porthole }) => { porthole.dataDir … })   a data dir only (CLI specs)
// A spec whose tests share one host makes it with `portholeForFile()` in beforeAll and disposes of it in
// afterAll (a worker fixture would be shared by every spec file the worker runs, state and all).

export interface PortholeControl {
  /** A fresh temp dir, removed after the test (or the worker, for sharedPorthole). */
  readonly dataDir: string;
  /**
   * Starts `porthole ui` on dataDir (or `opts.dataDir`, a directory inside it); args as startHost
   * (default: a free loopback port). One host at a time.
   */
  start(args?: readonly string[], opts?: { dataDir?: string }): Promise<Host>;
  /** The host started last; throws when none runs. */
  readonly host: Host;
  /** An API client signed in to the running host, made once per start and closed with it. */
  api(): Promise<TestApi>;
  /** Stops the running host (closing its API client first); resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Everything the host printed so far ('' when none ran). */
  output(): string;
}

function control(): PortholeControl & { dispose(): Promise<void> } {
  // Made on first use: a spec whose tests are all filtered out leaves nothing behind.
  let made: ReturnType<typeof tempDataDir> | undefined;
  const data = {
    get dir() {
      made ??= tempDataDir();
      return made.dir;
    },
    cleanup: () => made?.cleanup(),
  };
  let current: Host | undefined;
  let client: Promise<TestApi> | undefined;
  let printed = '';
  const stop = async (): Promise<number | null> => {
    const h = current;
    const c = client;
    current = undefined;
    client = undefined;
    if (c) (await c.catch(() => undefined))?.close();
    if (!h) return null;
    const code = await h.stop();
    printed += h.output();
    return code;
  };
  return {
    dataDir: data.dir,
    async start(args, opts) {
      if (current) throw new Error('porthole ui is already running for this test: call porthole.stop() before starting it again');
      current = await startHost(opts?.dataDir ?? data.dir, args);
      return current;
    },
    get host() {
      if (!current) throw new Error('no porthole ui is running: ask for the `host` fixture or call porthole.start() first');
      return current;
    },
    api() {
      const h = this.host;
      client ??= TestApi.connect(h);
      return client;
    },
    stop,
    output: () => printed + (current?.output() ?? ''),
    async dispose() {
      await stop();
      data.cleanup();
    },
  };
}

/** One host for all the tests of a spec file: call in beforeAll, and dispose() in afterAll. */
export function portholeForFile(): PortholeControl & { dispose(): Promise<void> } {
  return control();
}

export const test = base.extend<{ porthole: PortholeControl; host: Host; api: TestApi }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none here
  porthole: async ({}, use, testInfo) => {
    const c = control();
    try {
      await use(c);
    } finally {
      const out = c.output();
      if (testInfo.status !== testInfo.expectedStatus && out) await testInfo.attach('porthole ui output', { body: out, contentType: 'text/plain' });
      await c.dispose();
    }
  },
  host: async ({ porthole }, use) => {
    await use(await porthole.start());
  },
  api: async ({ porthole, host }, use) => {
    void host;
    await use(await porthole.api());
  },
});

export { expect };

export type Lang = 'en' | 'zh-CN';
export type Theme = 'light' | 'dark';
export const LOOKS: readonly { lang: Lang; theme: Theme }[] = [
  { lang: 'en', theme: 'light' },
  { lang: 'en', theme: 'dark' },
  { lang: 'zh-CN', theme: 'light' },
  { lang: 'zh-CN', theme: 'dark' },
];

/** Sets the UI language and theme through the API (as Settings does) and waits until the page shows them. */
export async function setLook(page: Page, api: TestApi, lang: Lang, theme: Theme): Promise<void> {
  await api.call('settings.update', { language: lang, theme });
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}
