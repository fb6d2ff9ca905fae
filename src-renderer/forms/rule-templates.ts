import { resources, t } from '../i18n/i18n';
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

/** The name the template puts in the Name field, in the UI language (or in `lng`). */
function templateName(id: TemplateId, lng?: string): string {
  return t(`editors.templateNames.${id}`, lng ? { lng } : {});
}

/**
 * Button text, tooltip and the name in `values` are getters on the catalogue, so they follow the UI
 * language (never spread the template itself).
 */
function template(id: TemplateId, values: Omit<RuleTemplate['values'], 'name'>): RuleTemplate {
  return {
    id,
    get values() {
      return { ...values, name: templateName(id) };
    },
    get label() {
      return t(`templates.${id}.label`);
    },
    get description() {
      return t(`templates.${id}.description`);
    },
  };
}

export const RULE_TEMPLATES: readonly RuleTemplate[] = [
  template('ssh', { type: 'ssh-local', listenPort: '2222', targetHost: '127.0.0.1', targetPort: '22' }),
  template('rdp', { type: 'tcp-forward', listenPort: '13389', targetHost: '', targetPort: '3389' }),
  template('web', { type: 'tcp-forward', listenPort: '8080', targetHost: '', targetPort: '80' }),
  template('db', { type: 'ssh-local', listenPort: '15432', targetHost: '127.0.0.1', targetPort: '5432' }),
  template('socks', { type: 'ssh-dynamic', listenPort: '1080' }),
  template('relay-web', { type: 'relay-expose', listenPort: '', targetHost: '127.0.0.1', targetPort: '3000', httpLog: true }),
];

/** A name some template put there, in any UI language (the language may have changed since). */
function isTemplateName(name: string): boolean {
  return RULE_TEMPLATES.some((tpl) => Object.keys(resources).some((lng) => templateName(tpl.id, lng) === name));
}

/**
 * Prefills the form from a template. A name the user typed is kept; a server or relay already chosen
 * is kept, otherwise `onlyServer` / `onlyRelay` (the single saved one, if there is exactly one) is chosen.
 */
export function applyTemplate(v: RuleFormValues, tpl: RuleTemplate, onlyServer?: string, onlyRelay?: string): RuleFormValues {
  const values = tpl.values;
  const name = v.name.trim() === '' || isTemplateName(v.name.trim()) ? values.name : v.name;
  const options = switchOptionType(v, values.type === 'udp-forward' ? 'udp' : 'tcp');
  return {
    ...options,
    type: values.type,
    name,
    listenHost: '127.0.0.1',
    listenPort: values.listenPort,
    targetHost: values.targetHost ?? '',
    targetPort: values.targetPort ?? '',
    server: v.server !== '' ? v.server : (onlyServer ?? ''),
    relay: v.relay !== '' ? v.relay : (onlyRelay ?? ''),
    remotePort: values.type === 'relay-expose' ? '' : v.remotePort,
    relayProtocol: 'tcp',
    httpLog: values.httpLog ?? false,
  };
}
