import type { RuleFormValues } from './rule-form';
import { switchOptionType } from './rule-options';

// Quick starts at the top of the create dialog. They prefill the form and leave empty what only the
// user can know (which host to reach; which SSH server or relay, unless there is just one).

export interface RuleTemplate {
  id: string;
  label: string;
  /** What the button's tooltip says it sets up. */
  description: string;
  values: Pick<RuleFormValues, 'type' | 'name' | 'listenPort'> & Partial<Pick<RuleFormValues, 'targetHost' | 'targetPort' | 'httpLog'>>;
}

export const RULE_TEMPLATES: readonly RuleTemplate[] = [
  {
    id: 'ssh',
    label: 'SSH into a server',
    description: 'SSH local forward 127.0.0.1:2222 → the server’s own port 22',
    values: { type: 'ssh-local', name: 'SSH', listenPort: '2222', targetHost: '127.0.0.1', targetPort: '22' },
  },
  {
    id: 'rdp',
    label: 'Remote desktop',
    description: 'TCP 127.0.0.1:13389 → a host’s port 3389',
    values: { type: 'tcp-forward', name: 'Remote desktop', listenPort: '13389', targetHost: '', targetPort: '3389' },
  },
  {
    id: 'web',
    label: 'Web',
    description: 'TCP 127.0.0.1:8080 → a host’s port 80',
    values: { type: 'tcp-forward', name: 'Web', listenPort: '8080', targetHost: '', targetPort: '80' },
  },
  {
    id: 'db',
    label: 'Database',
    description: 'SSH local forward 127.0.0.1:15432 → PostgreSQL (5432) on the server',
    values: { type: 'ssh-local', name: 'Database', listenPort: '15432', targetHost: '127.0.0.1', targetPort: '5432' },
  },
  {
    id: 'socks',
    label: 'SOCKS proxy',
    description: 'SSH dynamic forward: a SOCKS5 proxy on 127.0.0.1:1080',
    values: { type: 'ssh-dynamic', name: 'SOCKS proxy', listenPort: '1080' },
  },
  {
    id: 'relay-web',
    label: 'Share a local web app',
    description: 'Expose through a relay: a public port on your relay → 127.0.0.1:3000 on this machine, logging each HTTP request',
    values: { type: 'relay-expose', name: 'Web app', listenPort: '', targetHost: '127.0.0.1', targetPort: '3000', httpLog: true },
  },
];

const TEMPLATE_NAMES = new Set(RULE_TEMPLATES.map((t) => t.values.name));

/**
 * Prefills the form from a template. A name the user typed is kept; a server or relay already chosen
 * is kept, otherwise `onlyServer` / `onlyRelay` (the single saved one, if there is exactly one) is chosen.
 */
export function applyTemplate(v: RuleFormValues, t: RuleTemplate, onlyServer?: string, onlyRelay?: string): RuleFormValues {
  const name = v.name.trim() === '' || TEMPLATE_NAMES.has(v.name.trim()) ? t.values.name : v.name;
  const options = switchOptionType(v, t.values.type === 'udp-forward' ? 'udp' : 'tcp');
  return {
    ...options,
    type: t.values.type,
    name,
    listenHost: '127.0.0.1',
    listenPort: t.values.listenPort,
    targetHost: t.values.targetHost ?? '',
    targetPort: t.values.targetPort ?? '',
    server: v.server !== '' ? v.server : (onlyServer ?? ''),
    relay: v.relay !== '' ? v.relay : (onlyRelay ?? ''),
    remotePort: t.values.type === 'relay-expose' ? '' : v.remotePort,
    relayProtocol: 'tcp',
    httpLog: t.values.httpLog ?? false,
  };
}
