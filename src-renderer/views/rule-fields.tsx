import type { ReactNode } from 'react';
import type { FieldKey, RuleFormValues } from '../forms/rule-form';
import { typeShape } from '../forms/rule-types';

type FieldExtra = { inputMode?: 'numeric'; placeholder?: string; hint?: string; autoFocus?: boolean };
export type RenderField = (key: FieldKey, label: string, extra?: FieldExtra) => ReactNode;

/** The endpoint fieldsets of the rule dialog, as the chosen type needs them. */
export function RuleFields({ values, field }: { values: RuleFormValues; field: RenderField }) {
  const shape = typeShape(values.type);
  const ssh = shape.server;
  return (
    <>
      {shape.remote && (
        <fieldset className="endpoint">
          <legend>On the SSH server, listen on</legend>
          {field('remoteHost', 'Remote bind host', { placeholder: '127.0.0.1' })}
          {field('remotePort', 'Remote port', { inputMode: 'numeric', placeholder: '8080', hint: '0 = let the server choose' })}
        </fieldset>
      )}
      {shape.listen && (
        <fieldset className="endpoint">
          <legend>{shape.socks ? 'SOCKS5 proxy on this machine' : 'Listen on'}</legend>
          {field('listenHost', 'Listen host', { placeholder: '127.0.0.1' })}
          {field('listenPort', 'Listen port', { inputMode: 'numeric', placeholder: shape.socks ? '1080' : '8080' })}
        </fieldset>
      )}
      {shape.target && (
        <fieldset className="endpoint">
          <legend>{values.type === 'ssh-local' ? 'Forward to (as seen from the SSH server)' : values.type === 'ssh-remote' ? 'Forward to (from this machine)' : 'Forward to'}</legend>
          {field('targetHost', 'Target host', { placeholder: ssh ? '127.0.0.1' : 'example.internal' })}
          {field('targetPort', 'Target port', { inputMode: 'numeric', placeholder: '80' })}
        </fieldset>
      )}
      {shape.socks && (
        <fieldset className="endpoint">
          <legend>Client authentication</legend>
          {field('socksUser', 'Username', { placeholder: 'optional', hint: 'Optional. Empty: clients connect without a user name.' })}
        </fieldset>
      )}
    </>
  );
}
