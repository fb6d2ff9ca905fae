import { dialog, net } from 'electron';
import type { BrowserWindow, MessageBoxOptions } from 'electron';
import type { HostImportSource } from '../service/import-service';
import { readProfileText } from '../profiles/profile-file';
import { takeIn } from './import-intake';
import type { IntakeDeps } from './import-intake';
import { classifyArg, classifyLaunchArgs, classifyPaths } from './launch-args';
import type { LaunchArgsOptions, LaunchItem } from './launch-args';
import { pageSettled } from './page-settled';
import { downloadProfile } from './profile-download';
import { type LogLine, said } from '../../src-shared/model/log-text';

// The Electron side of import-intake: native dialogs, net.fetch, and the timing. Batches run one at a
// time (two launches in a row must not stack dialogs), and none runs before the core exists and the
// window's page has loaded, since the import preview is an event the page must be listening for.

export interface DesktopIntakeOptions {
  /** core.imports.offer */
  offer: (sources: HostImportSource[]) => void;
  log: (level: 'info' | 'warn', message: string, line: LogLine) => void;
  /** Shows and focuses the window. */
  reveal: () => void;
}

export interface DesktopIntake {
  /** Our own argv or a second launch's (untrusted). */
  takeArgv(argv: readonly string[], opts: LaunchArgsOptions): void;
  /** macOS open-file, tray drop-files: absolute paths from the OS. */
  takePaths(paths: readonly string[]): void;
  /** macOS open-url. */
  takeLink(url: string): void;
  /** Called once the core and window exist: queued requests run from here on. */
  start(opts: DesktopIntakeOptions & { win: BrowserWindow }): void;
}

const MAX_LINES = 8;

function visibleParent(win: BrowserWindow | undefined): BrowserWindow | undefined {
  return win && !win.isDestroyed() && win.isVisible() ? win : undefined;
}

async function showBox(win: BrowserWindow | undefined, options: MessageBoxOptions): Promise<number> {
  const parent = visibleParent(win);
  const res = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  return res.response;
}

export function createDesktopIntake(): DesktopIntake {
  const queued: LaunchItem[][] = [];
  let ctx: (DesktopIntakeOptions & { win: BrowserWindow }) | undefined;
  let chain: Promise<void> = Promise.resolve();

  const deps = (c: DesktopIntakeOptions & { win: BrowserWindow }): IntakeDeps => ({
    offer: (sources) => {
      c.offer(sources);
      c.reveal();
    },
    readFile: (path) => readProfileText(path, 'a profile'),
    confirmDownload: async (url) =>
      (await showBox(c.win, {
        type: 'question',
        title: 'Import a profile from the web?',
        message: 'Download a profile from this address?',
        detail:
          `${url}\n\nA porthole:// link (from a web page or another app) asks Porthole to download a profile ` +
          'from the address above. Nothing is imported yet: the import preview shows what it contains first. ' +
          'Continue only if you trust this address.',
        buttons: ['Cancel', 'Download and preview'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      })) === 1,
    download: (url) => downloadProfile(url, { fetch: (u, init) => net.fetch(u, init) }),
    tell: (title, lines) => {
      const shown = lines.slice(0, MAX_LINES);
      const more = lines.length - shown.length;
      void showBox(c.win, {
        type: 'warning',
        title,
        message: title,
        detail: `${shown.join('\n\n')}${more > 0 ? `\n\n…and ${more} more (see the log)` : ''}`,
        buttons: ['OK'],
        noLink: true,
      }).catch(() => {});
    },
    log: c.log,
  });

  // Never waits forever (page-settled.ts): a failed load or a crashed renderer lets the batch go on;
  // its preview then waits on the host until the page claims it.
  const pageLoaded = async (c: DesktopIntakeOptions & { win: BrowserWindow }): Promise<void> => {
    if (c.win.isDestroyed()) return;
    const outcome = await pageSettled(c.win.webContents);
    if (outcome !== 'loaded') c.log('warn', ...said('pageNotLoaded', { outcome }));
  };

  const run = (items: LaunchItem[]): void => {
    if (items.length === 0) return;
    if (!ctx) {
      // Before `ready`: hold a few batches (macOS delivers open-url / open-file that early).
      if (queued.length < 8) queued.push(items);
      return;
    }
    const c = ctx;
    chain = chain
      .then(() => pageLoaded(c))
      .then(() => takeIn(items, deps(c)))
      .then(
        () => {},
        (err: unknown) => c.log('warn', ...said('importRequestFailed', { error: err instanceof Error ? err.message : String(err) })),
      );
  };

  return {
    takeArgv: (argv, opts) => run(classifyLaunchArgs(argv, opts)),
    takePaths: (paths) => run(classifyPaths(paths)),
    takeLink: (url) => run([classifyArg(url)]),
    start(opts) {
      ctx = opts;
      for (const items of queued.splice(0)) run(items);
    },
  };
}
