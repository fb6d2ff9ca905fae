import { useTranslation } from 'react-i18next';
import { t as tt } from '../i18n/i18n';
import type { ReactNode } from 'react';
import type { FieldKey, RuleFormValues } from '../forms/rule-form';
import { typeShape } from '../forms/rule-types';

type FieldExtra = { inputMode?: 'numeric'; placeholder?: string; hint?: string; autoFocus?: boolean };
export type RenderField = (key: FieldKey, label: string, extra?: FieldExtra) => ReactNode;
export type RelayPatch = Partial<Pick<RuleFormValues, 'relayProtocol' | 'httpLog' | 'inspectHttp'>>;

function targetLegend(type: RuleFormValues['type']): string {
  switch (type) {
    case 'ssh-local':
      return tt('ruleFields.forwardToSsh');
    case 'ssh-remote':
      return tt('ruleFields.forwardToRemote');
    case 'relay-expose':
      return tt('ruleFields.forwardToRelay');
    default:
      return tt('ruleFields.forwardTo');
  }
}

/** relay-expose: the public port on the relay and its transport. */
function RelayPortFields({ values, field, onPatch }: { values: RuleFormValues; field: RenderField; onPatch: (p: RelayPatch) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="endpoint">
      <legend>{t('ruleFields.onRelay')}</legend>
      {field('remotePort', t('ruleFields.publicPort'), { inputMode: 'numeric', placeholder: t('ruleFields.any'), hint: t('ruleFields.publicPortHint') })}
      <div className="field field-transport" role="radiogroup" aria-labelledby="rule-transport-label">
        <span id="rule-transport-label" className="field-label">
          {t('ruleFields.transport')}
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
export function RuleFields({
  values,
  field,
  onPatch,
  socksPassword,
  listenNote,
}: {
  values: RuleFormValues;
  field: RenderField;
  onPatch: (p: RelayPatch) => void;
  socksPassword?: ReactNode;
  /** Under the listen fields: whether the port is free (views/port-check-note.tsx). */
  listenNote?: ReactNode;
}) {
  const { t } = useTranslation();
  const shape = typeShape(values.type);
  const ssh = shape.server;
  return (
    <>
      {shape.relay && <RelayPortFields values={values} field={field} onPatch={onPatch} />}
      {shape.remote && (
        <fieldset className="endpoint">
          <legend>{t('ruleFields.onServer')}</legend>
          {field('remoteHost', t('ruleFields.remoteHost'), { placeholder: '127.0.0.1' })}
          {field('remotePort', t('ruleFields.remotePort'), { inputMode: 'numeric', placeholder: '8080', hint: t('ruleFields.remotePortHint') })}
        </fieldset>
      )}
      {shape.listen && (
        <fieldset className="endpoint">
          <legend>{shape.socks ? t('ruleFields.socksOn') : t('ruleFields.listenOn')}</legend>
          {field('listenHost', t('ruleFields.listenHost'), { placeholder: '127.0.0.1' })}
          {field('listenPort', t('ruleFields.listenPort'), { inputMode: 'numeric', placeholder: shape.socks ? '1080' : '8080' })}
        </fieldset>
      )}
      {shape.listen && listenNote}
      {shape.target && (
        <fieldset className="endpoint">
          <legend>{targetLegend(values.type)}</legend>
          {field('targetHost', t('ruleFields.targetHost'), { placeholder: ssh || shape.relay ? '127.0.0.1' : 'example.internal' })}
          {field('targetPort', t('ruleFields.targetPort'), { inputMode: 'numeric', placeholder: shape.relay ? '3000' : '80' })}
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
            {t('ruleFields.httpLog')}
          </label>
          <p id="rule-httpLog-hint" className="field-hint checkbox-hint">
            {values.relayProtocol === 'udp' ? t('ruleFields.httpOnlyTcp') : t('ruleFields.httpLogHint')}
          </p>
        </div>
      )}
      {(values.type === 'tcp-forward' || values.type === 'ssh-local') && (
        <div className="relay-http">
          <label className="checkbox">
            <input type="checkbox" checked={values.inspectHttp} aria-describedby="rule-inspect-hint" onChange={(e) => onPatch({ inspectHttp: e.target.checked })} />
            {t('ruleFields.inspectHttp')}
          </label>
          <p id="rule-inspect-hint" className="field-hint checkbox-hint">
            {t('ruleFields.inspectHttpHint')}
          </p>
        </div>
      )}
      {shape.socks && (
        <fieldset className="endpoint client-auth">
          <legend>{t('ruleFields.clientAuth')}</legend>
          {field('socksUser', t('ruleFields.username'), { placeholder: t('ruleFields.optional'), hint: t('ruleFields.usernameHint') })}
          {values.socksUser.trim() !== '' && socksPassword}
        </fieldset>
      )}
    </>
  );
}
