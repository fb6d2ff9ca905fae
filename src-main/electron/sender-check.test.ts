import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSender, externalLinkTarget, isAppUrl } from './sender-check';
import type { RendererLocation, SenderFacts } from './sender-check';

const rendererDir = join('/opt', 'Porthole', 'resources', 'app.asar', 'out', 'renderer');
const fileLoc: RendererLocation = { kind: 'file', rendererDir };
const devLoc: RendererLocation = { kind: 'dev', url: 'http://localhost:5173/' };
const indexUrl = pathToFileURL(join(rendererDir, 'index.html')).href;

function facts(frameUrl: string | undefined, over: Partial<SenderFacts> = {}): SenderFacts {
  return { frameUrl, isMainFrame: true, isOurWindow: true, ...over };
}

describe('checkSender', () => {
  it("accepts the main frame of our window showing the app's own renderer file", () => {
    expect(checkSender(facts(indexUrl), fileLoc)).toEqual({ ok: true });
    expect(checkSender(facts(`${indexUrl}#/rules/abc`), fileLoc)).toEqual({ ok: true });
  });

  it('rejects file URLs outside out/renderer, including ../ escapes and look-alike dirs', () => {
    const outside = [
      pathToFileURL('/etc/passwd').href,
      pathToFileURL(join(rendererDir, '..', 'main', 'electron-main.js')).href,
      pathToFileURL(`${rendererDir}-evil/index.html`).href,
      `${pathToFileURL(rendererDir).href}/../preload/preload.cjs`,
      pathToFileURL(rendererDir).href,
      'file://evil-host/share/index.html',
    ];
    for (const url of outside) expect(checkSender(facts(url), fileLoc).ok, url).toBe(false);
  });

  it('rejects http origins in file mode, and anything but the dev origin in dev mode', () => {
    expect(checkSender(facts('http://localhost:5173/'), fileLoc).ok).toBe(false);
    expect(checkSender(facts('http://localhost:5173/index.html'), devLoc)).toEqual({ ok: true });
    expect(checkSender(facts('http://localhost:5174/'), devLoc).ok).toBe(false);
    expect(checkSender(facts('http://localhost:5173.evil.com/'), devLoc).ok).toBe(false);
    expect(checkSender(facts('https://localhost:5173/'), devLoc).ok).toBe(false);
    expect(checkSender(facts(indexUrl), devLoc).ok).toBe(false);
  });

  it('rejects subframes and frames of other windows', () => {
    expect(checkSender(facts(indexUrl, { isMainFrame: false }), fileLoc)).toEqual({
      ok: false,
      reason: 'the sender is a subframe',
    });
    expect(checkSender(facts(indexUrl, { isOurWindow: false }), fileLoc).ok).toBe(false);
  });

  it('rejects a missing frame, a frame without a URL, about:blank and junk', () => {
    expect(checkSender(null, fileLoc)).toEqual({ ok: false, reason: 'the sender frame is gone' });
    expect(checkSender(undefined, fileLoc).ok).toBe(false);
    expect(checkSender(facts(undefined), fileLoc).ok).toBe(false);
    expect(checkSender(facts(''), fileLoc).ok).toBe(false);
    expect(checkSender(facts('about:blank'), fileLoc).ok).toBe(false);
    expect(checkSender(facts('about:blank'), devLoc).ok).toBe(false);
    expect(checkSender(facts('not a url'), fileLoc).ok).toBe(false);
  });
});

describe('isAppUrl', () => {
  it('is what will-navigate allows', () => {
    expect(isAppUrl(indexUrl, fileLoc)).toBe(true);
    expect(isAppUrl('https://example.com/', fileLoc)).toBe(false);
    expect(isAppUrl('javascript:alert(1)', devLoc)).toBe(false);
  });
});

describe('externalLinkTarget', () => {
  it('passes http(s) links only', () => {
    expect(externalLinkTarget('https://example.com/docs?a=1')).toBe('https://example.com/docs?a=1');
    expect(externalLinkTarget('http://example.com')).toBe('http://example.com/');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'porthole://x', 'nope']) {
      expect(externalLinkTarget(bad), bad).toBeUndefined();
    }
  });
});
