import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatHostPort } from '../../src-shared/format/address';
import { normalizeFingerprint } from '../../src-shared/format/fingerprint';
import { replaceFile } from '../store/replace-file';

// Pinned relay certificate fingerprints (trust on first use), one per relay address, in the data dir
// (`known_relays`): lines of `host:port SHA256-fingerprint`. A line that does not parse is kept as is
// and ignored, so a hand edit never loses the other pins.

export class RelayPins {
  constructor(private readonly file: string) {}

  get(host: string, port: number): string | undefined {
    const key = formatHostPort(host.toLowerCase(), port);
    for (const line of this.lines()) {
      const [k, fp] = line.trim().split(/\s+/);
      if (k === key && fp) return normalizeFingerprint(fp);
    }
    return undefined;
  }

  set(host: string, port: number, fingerprint: string): void {
    const key = formatHostPort(host.toLowerCase(), port);
    const fp = normalizeFingerprint(fingerprint);
    if (!fp) throw new Error(`not a SHA-256 fingerprint: ${fingerprint}`);
    const kept = this.lines().filter((l) => l.trim().split(/\s+/)[0] !== key && l.trim() !== '');
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    replaceFile(this.file, [...kept, `${key} ${fp}`].join('\n') + '\n', 0o600);
  }

  private lines(): string[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8').split('\n');
  }
}
