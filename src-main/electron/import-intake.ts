import { basename } from 'node:path';
import type { HostImportSource } from '../service/import-service';
import { deepLinkSourceLine, parseDeepLink } from './deep-link';
import type { LaunchItem } from './launch-args';
import { downloadName, shownUrl } from './profile-download';
import { type LogLine, said } from '../../src-shared/model/log-text';

// What happens to the links and files a launch, an open-file event or a tray drop brought in: every
// usable one becomes a source of ONE import preview (nothing is imported before the user reviews
// it there), every refused one a line in one message naming it and saying why. A url= link is
// downloaded only after the user confirmed its address. A file named by its path is a `file` source
// (its ssh_config Includes are followed); a link's text, inline or downloaded, is a `link` source
// (no Include, nothing may start, off-loopback listeners skipped). The effects are passed in, so the
// whole decision is unit-tested in plain Node.

export interface IntakeDeps {
  /** Shows the sources in the import preview (core.imports.offer) and brings the window forward. */
  offer(sources: HostImportSource[]): void;
  /** readProfileText: the safe reader (size, binary, not a regular file); throws with a message naming the file. */
  readFile(path: string): string;
  /** Asks the user whether to download from this https URL; true = go ahead. */
  confirmDownload(url: string): Promise<boolean>;
  /** downloadProfile with its caps; throws with a message naming the address. */
  download(url: string): Promise<string>;
  /** Tells the user what could not be imported (a dialog or notification); one call per batch. */
  tell(title: string, lines: string[]): void;
  /** The English line and its code (log-text.ts), for the host log. */
  log(level: 'info' | 'warn', message: string, line: LogLine): void;
}

export interface IntakeResult {
  offered: string[];
  refused: string[];
  /** url= links the user declined to download. */
  declined: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Never throws: every failure ends up in `refused` and in the one message to the user. */
export async function takeIn(items: readonly LaunchItem[], deps: IntakeDeps): Promise<IntakeResult> {
  const sources: HostImportSource[] = [];
  const refused: string[] = [];
  let declined = 0;
  for (const item of items) {
    if (item.kind === 'refused') {
      refused.push(`${item.shown}: ${item.reason}`);
      continue;
    }
    if (item.kind === 'file') {
      try {
        sources.push({ name: basename(item.path).slice(0, 255) || 'profile', text: deps.readFile(item.path), origin: 'file' });
      } catch (err) {
        refused.push(message(err));
      }
      continue;
    }
    const link = parseDeepLink(item.link);
    if (!link.ok) {
      refused.push(`A porthole:// link: ${link.reason}`);
      continue;
    }
    deps.log('info', ...deepLinkSourceLine(link.source));
    if (link.source.kind === 'inline') {
      sources.push({ name: 'porthole:// link', text: link.source.text, origin: 'link' });
      continue;
    }
    const url = link.source.url;
    let yes: boolean;
    try {
      yes = await deps.confirmDownload(url);
    } catch (err) {
      refused.push(`${shownUrl(url)}: could not ask whether to download it (${message(err)})`);
      continue;
    }
    if (!yes) {
      declined++;
      deps.log('info', ...said('importLinkDeclined', { url: shownUrl(url) }));
      continue;
    }
    try {
      sources.push({ name: downloadName(url), text: await deps.download(url), origin: 'link' });
    } catch (err) {
      refused.push(message(err));
    }
  }

  if (sources.length > 0) {
    try {
      deps.offer(sources);
    } catch (err) {
      refused.push(`The import preview could not be opened: ${message(err)}`);
      sources.length = 0;
    }
  }
  for (const line of refused) deps.log('warn', ...said('notImported', { error: line }));
  if (refused.length > 0) {
    deps.tell(refused.length === 1 ? 'Porthole could not import this' : `Porthole could not import ${refused.length} items`, refused);
  }
  return { offered: sources.map((s) => s.name), refused, declined };
}
