import path from 'node:path';
import { KNOWN_KEYWORDS } from './ssh-config-options';

// Guesses which importer a profile file needs, from its content. The file name only breaks ties
// between formats whose signs all appear. Malformed files are still recognized (by their keys), so
// the matching reader can report what is wrong with file:line.

export type ProfileFormat = 'ssh-config' | 'port-proxy-server' | 'port-proxy-client' | 'frpc-toml' | 'frpc-ini' | 'rathole-client' | 'rathole-server' | 'porthole-json';

const ORDER: ProfileFormat[] = ['porthole-json', 'rathole-client', 'rathole-server', 'frpc-toml', 'frpc-ini', 'port-proxy-server', 'port-proxy-client', 'ssh-config'];

/**
 * ssh_config by its grammar, not by having a forward: every directive line is `Keyword value` (or
 * `Keyword=value`) and at least half of them use a keyword of ssh_config(5). A file of nothing but
 * `Include config.d/*` and `Host *` options is an ssh_config too.
 */
function looksLikeSshConfig(text: string): boolean {
  let lines = 0;
  let known = 0;
  let sections = 0;
  for (const row of text.split('\n')) {
    const t = row.trim();
    if (t === '' || t.startsWith('#')) continue;
    lines++;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:[ \t]*=[ \t]*|[ \t]+)\S/.exec(t);
    if (!m || !KNOWN_KEYWORDS.has(m[1]!.toLowerCase())) continue;
    known++;
    if (/^(host|match|include)$/i.test(m[1]!)) sections++;
  }
  // A TOML or INI file may have a `user = x` or `port = 1` line; a real ssh_config is almost all keywords.
  return known > 0 && known * 2 >= lines && (sections > 0 || known * 4 >= lines * 3);
}

export function detectFormat(input: string, fileName = ''): ProfileFormat | undefined {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const found = new Set<ProfileFormat>();
  const trimmed = text.trim();
  if (trimmed === '' || text.includes('\0')) return undefined;

  if (trimmed.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(trimmed);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'rules' in v) return 'porthole-json';
    } catch {
      // Broken JSON that names Porthole's keys is still a Porthole export: its reader says where it breaks.
      if (/"(porthole|rules|servers|relays)"[ \t\n]*:/.test(trimmed)) return 'porthole-json';
      // otherwise not JSON: the other formats below
    }
  }
  if (/^[ \t]*\[[ \t]*client(\.services\.[^\]]+|\.transport[^\]]*)?[ \t]*\]/m.test(text) && /^[ \t]*(remote_addr|local_addr)[ \t]*=/m.test(text)) found.add('rathole-client');
  else if (/^[ \t]*\[[ \t]*server(\.services\.[^\]]+|\.transport[^\]]*)?[ \t]*\]/m.test(text) && /^[ \t]*bind_addr[ \t]*=/m.test(text)) found.add('rathole-server');
  if (/^[ \t]*\[\[[ \t]*(proxies|visitors)[ \t]*\]\]/m.test(text) || /^[ \t]*(serverAddr|serverPort)[ \t]*=/m.test(text)) found.add('frpc-toml');
  if (/^[ \t]*\[common\][ \t]*([;#].*)?$/m.test(text) && /^[ \t]*(server_addr|server_port)[ \t]*[=:]/m.test(text)) found.add('frpc-ini');
  // port-proxy over its history: server.yaml (bind + proxy[remote_name]), conf.yaml (server: + client:),
  // local-server.yaml (remote-server + proxy_list) — the side that opens the listening ports.
  if (/^[ \t]*(-[ \t]+)?remote_name[ \t]*:/m.test(text) || (/^bind[ \t]*:/m.test(text) && /^proxy[ \t]*:/m.test(text))) found.add('port-proxy-server');
  if (/^remote-server[ \t]*:/m.test(text) || /^proxy_list[ \t]*:/m.test(text) || (/^server[ \t]*:[ \t]*(#.*)?$/m.test(text) && /^[ \t]+proxy[ \t]*:/m.test(text))) found.add('port-proxy-server');
  if (/^name[ \t]*:/m.test(text) && /^server[ \t]*:/m.test(text)) found.add('port-proxy-client');
  // remote-server.yaml of the newer layout: only `bind:`, often a ws:// or tcp:// address.
  const topKeys = text.split('\n').filter((l) => /^[A-Za-z_-]+[ \t]*:/.test(l));
  if (/^bind[ \t]*:[ \t]*['"]?(ws|wss|tcp):\/\//m.test(text) || (topKeys.length === 1 && /^bind[ \t]*:[ \t]*\S/.test(topKeys[0]!))) found.add('port-proxy-client');
  if (looksLikeSshConfig(text)) found.add('ssh-config');
  if (found.size === 0) return undefined;
  if (found.size === 1) return [...found][0];
  const byName = fromFileName(fileName, found);
  return byName ?? ORDER.find((f) => found.has(f));
}

function fromFileName(fileName: string, found: Set<ProfileFormat>): ProfileFormat | undefined {
  const base = path.basename(fileName).toLowerCase();
  const ext = path.extname(base);
  const pick = (...fs: ProfileFormat[]) => fs.find((f) => found.has(f));
  if (ext === '.json') return pick('porthole-json');
  if (ext === '.toml') return base.includes('rathole') ? pick('rathole-client', 'rathole-server', 'frpc-toml') : pick('frpc-toml', 'rathole-client', 'rathole-server');
  if (ext === '.ini') return pick('frpc-ini');
  if (ext === '.yaml' || ext === '.yml') return pick('port-proxy-server', 'port-proxy-client');
  if (base === 'config' || base === 'ssh_config' || base.endsWith('.conf')) return pick('ssh-config');
  return undefined;
}
