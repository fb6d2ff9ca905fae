import path from 'node:path';

// Guesses which importer a profile file needs, from its content. The file name only breaks ties
// between formats whose signs all appear. Malformed files are still recognized (by their keys), so
// the matching reader can report what is wrong with file:line.

export type ProfileFormat = 'ssh-config' | 'port-proxy-server' | 'port-proxy-client' | 'frpc-toml' | 'frpc-ini' | 'rathole-client' | 'porthole-json';

const ORDER: ProfileFormat[] = ['porthole-json', 'rathole-client', 'frpc-toml', 'frpc-ini', 'port-proxy-server', 'port-proxy-client', 'ssh-config'];

const SSH_KEYWORDS = /^[ \t]*(LocalForward|RemoteForward|DynamicForward|HostName|ProxyJump|IdentityFile|User|Port|ServerAliveInterval)[ \t=]/im;

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
  if (/^[ \t]*\[\[[ \t]*(proxies|visitors)[ \t]*\]\]/m.test(text) || /^[ \t]*(serverAddr|serverPort)[ \t]*=/m.test(text)) found.add('frpc-toml');
  if (/^[ \t]*\[common\][ \t]*([;#].*)?$/m.test(text) && /^[ \t]*(server_addr|server_port)[ \t]*[=:]/m.test(text)) found.add('frpc-ini');
  if (/^[ \t]*(-[ \t]+)?remote_name[ \t]*:/m.test(text) || (/^bind[ \t]*:/m.test(text) && /^proxy[ \t]*:/m.test(text))) found.add('port-proxy-server');
  if (/^name[ \t]*:/m.test(text) && /^server[ \t]*:/m.test(text)) found.add('port-proxy-client');
  if ((/^[ \t]*(Host|Match)[ \t=]+\S/im.test(text) && SSH_KEYWORDS.test(text)) || /^[ \t]*(LocalForward|RemoteForward|DynamicForward)[ \t=]+\S/im.test(text)) {
    // YAML or TOML keys never look like `Keyword value` without a colon or an equals sign.
    found.add('ssh-config');
  }
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
  if (ext === '.toml') return base.includes('rathole') ? pick('rathole-client', 'frpc-toml') : pick('frpc-toml', 'rathole-client');
  if (ext === '.ini') return pick('frpc-ini');
  if (ext === '.yaml' || ext === '.yml') return pick('port-proxy-server', 'port-proxy-client');
  if (base === 'config' || base === 'ssh_config' || base.endsWith('.conf')) return pick('ssh-config');
  return undefined;
}
