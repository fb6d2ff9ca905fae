import type { ReactNode } from 'react';
import type { FieldKey, RuleFormValues } from '../forms/rule-form';
import { typeShape } from '../forms/rule-types';

type FieldExtra = { inputMode?: 'numeric'; placeholder?: string; hint?: string; autoFocus?: boolean };
export type RenderField = (key: FieldKey, label: string, extra?: FieldExtra) => ReactNode;
export type RelayPatch = Partial<Pick<RuleFormValues, 'relayProtocol' | 'httpLog'>>;

function targetLegend(type: RuleFormValues['type']): string {
  switch (type) {
    case 'ssh-local':
      return 'Forward to (as seen from the SSH server)';
    case 'ssh-remote':
      return 'Forward to (from this machine)';
    case 'relay-expose':
      return 'Forward to (a service on this machine)';
    default:
      return 'Forward to';
  }
}

/** relay-expose: the public port on the relay and its transport. */
function RelayPortFields({ values, field, onPatch }: { values: RuleFormValues; field: RenderField; onPatch: (p: RelayPatch) => void }) {
  return (
    <fieldset className="endpoint">
      <legend>On the relay, listen on</legend>
      {field('remotePort', 'Public port', { inputMode: 'numeric', placeholder: 'any', hint: 'Empty or 0 = any port the relay allows this agent' })}
      <div className="field field-transport" role="radiogroup" aria-labelledby="rule-transport-label">
        <span id="rule-transport-label" className="field-label">
          Transport
        </span>
        <div className="segmented">
          {(['tcp', 'udp'] as const).map((p) => (
            <label key={p} className={values.relayProtocol === p ? 'segment is-on' : 'segment'}>
              <input type="radio" name="rule-transport" value={p} checked={values.relayProtocol === p} onChange={() => onPatch({ relayProtocol: p })} />
              {p.toUpperCase()}
            </label>
          ))}
        </div>
      </div>
    </fieldset>
  );
}

/** The endpoint fieldsets of the rule dialog, as the chosen type needs them. */
export function RuleFields({ values, field, onPatch }: { values: RuleFormValues; field: RenderField; onPatch: (p: RelayPatch) => void }) {
  const shape = typeShape(values.type);
  const ssh = shape.server;
  return (
    <>
      {shape.relay && <RelayPortFields values={values} field={field} onPatch={onPatch} />}
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
          <legend>{targetLegend(values.type)}</legend>
          {field('targetHost', 'Target host', { placeholder: ssh || shape.relay ? '127.0.0.1' : 'example.internal' })}
          {field('targetPort', 'Target port', { inputMode: 'numeric', placeholder: shape.relay ? '3000' : '80' })}
        </fieldset>
      )}
      {shape.relay && (
        <div className="relay-http">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={values.relayProtocol === 'tcp' && values.httpLog}
              disabled={values.relayProtocol === 'udp'}
              aria-describedby="rule-httpLog-hint"
              onChange={(e) => onPatch({ httpLog: e.target.checked })}
            />
            Log HTTP requests
          </label>
          <p id="rule-httpLog-hint" className="field-hint checkbox-hint">
            {values.relayProtocol === 'udp' ? 'Only for TCP.' : 'Writes each request (method, path, status, time) to this mapping’s log.'}
          </p>
        </div>
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
