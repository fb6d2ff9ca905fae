import { t } from '../i18n/i18n';
import type { RuleFormValues } from './rule-form';
import { switchOptionType } from './rule-options';

// Quick starts at the top of the create dialog. They prefill the form and leave empty what only the
// user can know (which host to reach; which SSH server or relay, unless there is just one).

type TemplateId = 'ssh' | 'rdp' | 'web' | 'db' | 'socks' | 'relay-web';

export interface RuleTemplate {
  id: TemplateId;
  label: string;
  /** What the button's tooltip says it sets up. */
  description: string;
  values: Pick<RuleFormValues, 'type' | 'name' | 'listenPort'> & Partial<Pick<RuleFormValues, 'targetHost' | 'targetPort' | 'httpLog'>>;
}

/** Button text and tooltip are getters on the catalogue, so they follow the UI language (never spread them). */
function template(id: TemplateId, values: RuleTemplate['values']): RuleTemplate {
  return {
    id,
    values,
    get label() {
      return t(`templates.${id}.label`);
    },
    get description() {
      return t(`templates.${id}.description`);
    },
  };
}

export const RULE_TEMPLATES: readonly RuleTemplate[] = [
  template('ssh', { type: 'ssh-local', name: 'SSH', listenPort: '2222', targetHost: '127.0.0.1', targetPort: '22' }),
  template('rdp', { type: 'tcp-forward', name: 'Remote desktop', listenPort: '13389', targetHost: '', targetPort: '3389' }),
  template('web', { type: 'tcp-forward', name: 'Web', listenPort: '8080', targetHost: '', targetPort: '80' }),
  template('db', { type: 'ssh-local', name: 'Database', listenPort: '15432', targetHost: '127.0.0.1', targetPort: '5432' }),
  template('socks', { type: 'ssh-dynamic', name: 'SOCKS proxy', listenPort: '1080' }),
  template('relay-web', { type: 'relay-expose', name: 'Web app', listenPort: '', targetHost: '127.0.0.1', targetPort: '3000', httpLog: true }),
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
