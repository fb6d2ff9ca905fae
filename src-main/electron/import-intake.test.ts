import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProfileText } from '../profiles/profile-file';
import type { HostImportSource } from '../service/import-service';
import { tempDir } from '../../test-support/tmp';
import { takeIn } from './import-intake';
import type { IntakeDeps } from './import-intake';
import { classifyLaunchArgs } from './launch-args';

const b64 = (s: string): string => Buffer.from(s).toString('base64url');
const urlLink = (u: string): string => `porthole://import?url=${encodeURIComponent(u)}`;

interface Recorder {
  deps: IntakeDeps;
  offered: HostImportSource[][];
  told: Array<{ title: string; lines: string[] }>;
  asked: string[];
  downloaded: string[];
  logs: string[];
}

function recorder(opts: { confirm?: boolean; download?: (url: string) => Promise<string> } = {}): Recorder {
  const r: Recorder = {
    offered: [],
    told: [],
    asked: [],
    downloaded: [],
    logs: [],
    deps: {
      offer: (sources) => void r.offered.push(sources),
      readFile: (path) => readProfileText(path, 'a profile'),
      confirmDownload: async (url) => {
        r.asked.push(url);
        return opts.confirm ?? false;
      },
      download: async (url) => {
        r.downloaded.push(url);
        return (opts.download ?? (async () => 'porthole: 1\n'))(url);
      },
      tell: (title, lines) => void r.told.push({ title, lines }),
      log: (level, message) => void r.logs.push(`${level}: ${message}`),
    },
  };
  return r;
}

describe('takeIn', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('offers an inline profile at once, without asking or downloading anything, as a link (no Include, nothing starts)', async () => {
    const r = recorder();
    const items = classifyLaunchArgs(['exe', `porthole://import?profile=${b64('porthole: 1\nrules: []\n')}`], { skip: 1 });
    await takeIn(items, r.deps);
    expect(r.offered).toEqual([[{ name: 'porthole:// link', text: 'porthole: 1\nrules: []\n', origin: 'link' }]]);
    expect(r.asked).toEqual([]);
    expect(r.told).toEqual([]);
  });

  it('downloads a url= link only after the user confirmed that exact https address', async () => {
    const declined = recorder({ confirm: false });
    const items = classifyLaunchArgs(['exe', urlLink('https://a.example/team/frpc.toml?k=secret')], { skip: 1 });
    expect(await takeIn(items, declined.deps)).toMatchObject({ offered: [], refused: [], declined: 1 });
    expect(declined.asked).toEqual(['https://a.example/team/frpc.toml?k=secret']);
    expect(declined.downloaded).toEqual([]);
    expect(declined.offered).toEqual([]);
    expect(declined.logs.join('\n')).not.toContain('secret');

    const accepted = recorder({ confirm: true, download: async () => '[common]\n' });
    await takeIn(items, accepted.deps);
    expect(accepted.downloaded).toEqual(['https://a.example/team/frpc.toml?k=secret']);
    // Downloaded because of a link: still a link, however the file is named.
    expect(accepted.offered).toEqual([[{ name: 'frpc.toml', text: '[common]\n', origin: 'link' }]]);
  });

  it('never asks about links that are not https or not for import', async () => {
    const r = recorder({ confirm: true });
    const items = classifyLaunchArgs(
      ['exe', urlLink('http://a.example/p.yaml'), urlLink('file:///etc/passwd'), urlLink('javascript:alert(1)'), 'porthole://evil'],
      { skip: 1 },
    );
    const out = await takeIn(items, r.deps);
    expect(r.asked).toEqual([]);
    expect(out.refused).toHaveLength(4);
    expect(out.refused[0]).toBe('A porthole:// link: only https:// profile URLs are accepted');
    expect(r.told).toEqual([{ title: 'Porthole could not import 4 items', lines: out.refused }]);
  });

  it('reads files with the safe reader as files named by path; refused ones are named, with the reason, in one message', async () => {
    const good = join(t.dir, 'ssh_config');
    writeFileSync(good, 'Host a\n  HostName a.example\n  LocalForward 8080 localhost:80\n');
    const big = join(t.dir, 'huge.yaml');
    writeFileSync(big, 'x'.repeat(1024 * 1024 + 1));
    const bin = join(t.dir, 'photo.png');
    writeFileSync(bin, Buffer.from([0x89, 0x50, 0x00, 0x47]));
    const dir = join(t.dir, 'a-folder');
    mkdirSync(dir);
    const missing = join(t.dir, 'gone.yaml');

    const r = recorder();
    const items = classifyLaunchArgs(['exe', good, big, bin, dir, missing, 'relative.yaml'], { skip: 1, cwd: t.dir });
    const out = await takeIn(items, r.deps);
    expect(r.offered).toEqual([[{ name: 'ssh_config', text: 'Host a\n  HostName a.example\n  LocalForward 8080 localhost:80\n', origin: 'file' }]]);
    expect(out.refused).toEqual([
      `${big}: the file is larger than 1 MiB — not a profile`,
      `${bin}: binary data (NUL bytes) — not a profile`,
      `${dir}: not a regular file`,
      `${missing}: cannot read the file (ENOENT)`,
      `${join(t.dir, 'relative.yaml')}: cannot read the file (ENOENT)`,
    ]);
    expect(r.told).toHaveLength(1);
    expect(r.logs.filter((l) => l.startsWith('warn: Not imported: '))).toHaveLength(5);
  });

  it('reports a failed download and still offers what did work', async () => {
    const r = recorder({
      confirm: true,
      download: async () => {
        throw new Error('https://a.example/p.yaml: the server answered HTTP 404 Not Found');
      },
    });
    const file = join(t.dir, 'rules.json');
    writeFileSync(file, '{"porthole":1,"rules":[]}');
    const items = classifyLaunchArgs(['exe', urlLink('https://a.example/p.yaml'), file], { skip: 1 });
    const out = await takeIn(items, r.deps);
    expect(out.offered).toEqual(['rules.json']);
    expect(r.told).toEqual([{ title: 'Porthole could not import this', lines: ['https://a.example/p.yaml: the server answered HTTP 404 Not Found'] }]);
  });

  it('keeps going when the dialog or the preview fails', async () => {
    const r = recorder();
    r.deps.confirmDownload = async () => {
      throw new Error('no display');
    };
    r.deps.offer = () => {
      throw new Error('preview store full');
    };
    const items = classifyLaunchArgs(['exe', urlLink('https://a.example/p.yaml'), `porthole://import?profile=${b64('porthole: 1\n')}`], { skip: 1 });
    const out = await takeIn(items, r.deps);
    expect(out.offered).toEqual([]);
    expect(out.refused).toEqual([
      'https://a.example/p.yaml: could not ask whether to download it (no display)',
      'The import preview could not be opened: preview store full',
    ]);
  });
});
