import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import type { AdvancedFieldKey, RuleFormValues } from '../forms/rule-form';
import { countCustomOptions, PROXY_PROTOCOLS, type ProxyProtocol } from '../forms/rule-options';
import { FormField } from './form-field';
import { TextAreaField } from './text-area-field';


interface AdvancedOptionsProps {
  values: RuleFormValues;
  errorOf: (field: AdvancedFieldKey) => string | undefined;
  onText: (field: AdvancedFieldKey, value: string) => void;
  onBlur: (field: AdvancedFieldKey) => void;
  onPatch: (patch: Partial<Pick<RuleFormValues, 'keepAlive' | 'proxyProtocol'>>) => void;
  /** A field inside has an error: the section is shown whatever the user chose. */
  forceOpen: boolean;
}

function isProxyProtocol(v: string): v is ProxyProtocol {
  return PROXY_PROTOCOLS.some((p) => p.value === v);
}

/** Source lists, limits and timeouts. Closed by default; says how many settings differ from the defaults. */
export function AdvancedOptions({ values, errorOf, onText, onBlur, onPatch, forceOpen }: AdvancedOptionsProps) {
  const { t } = useTranslation();
  const [userOpen, setUserOpen] = useState(false);
  const open = userOpen || forceOpen;
  const kind = values.type === 'udp-forward' ? 'udp' : values.type === 'tcp-forward' ? 'tcp' : 'socks';
  const tcp = kind === 'tcp';
  const custom = countCustomOptions(values, kind);

  const field = (key: AdvancedFieldKey, label: string, hint: string, inputMode: 'numeric' | 'decimal') => (
    <FormField
      id={`rule-${key}`}
      label={label}
      value={values[key]}
      onValue={(v) => onText(key, v)}
      onBlur={() => onBlur(key)}
      error={errorOf(key)}
      hint={hint}
      inputMode={inputMode}
      className={`field-${key}`}
    />
  );

  return (
    <section className="advanced" aria-label={t('advanced.region')}>
      <div className="advanced-head">
        <button type="button" className="advanced-toggle" aria-expanded={open} aria-controls="rule-advanced" onClick={() => setUserOpen(!open)}>
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {t('advanced.toggle')}
        </button>
        {custom > 0 && (
          <span className="muted advanced-summary" data-testid="advanced-summary">
            {t('advanced.differ', { count: custom })}
          </span>
        )}
      </div>
      <div id="rule-advanced" className="advanced-body" hidden={!open}>
        {kind === 'socks' && (
          <div className="advanced-grid advanced-grid-3">
            {field('connectTimeout', t('advanced.connectTimeout'), t('advanced.destinationAccept'), 'decimal')}
          </div>
        )}
        {kind !== 'socks' && (
          <>
            <div className="advanced-grid">
              <TextAreaField
                id="rule-allow"
                label={t('advanced.allow')}
                value={values.allow}
                onValue={(v) => onText('allow', v)}
                onBlur={() => onBlur('allow')}
                error={errorOf('allow')}
                hint={t('advanced.allowHint')}
                placeholder={'192.168.1.0/24\n10.0.0.5'}
              />
              <TextAreaField
                id="rule-deny"
                label={t('advanced.deny')}
                value={values.deny}
                onValue={(v) => onText('deny', v)}
                onBlur={() => onBlur('deny')}
                error={errorOf('deny')}
                hint={t('advanced.denyHint')}
              />
            </div>
            <div className="advanced-grid advanced-grid-3">
              {tcp
                ? field('maxConnections', t('advanced.maxConnections'), t('advanced.maxConnectionsHint'), 'numeric')
                : field('maxSessions', t('advanced.maxSessions'), t('advanced.maxSessionsHint'), 'numeric')}
              {tcp && field('connectTimeout', t('advanced.connectTimeout'), t('advanced.targetAccept'), 'decimal')}
              {field('idleTimeout', t('advanced.idleTimeout'), tcp ? t('advanced.idleTcpHint') : t('advanced.idleUdpHint'), 'decimal')}
            </div>
            {tcp && (
              <div className="advanced-grid advanced-grid-tcp">
                <label className="checkbox">
                  <input type="checkbox" checked={values.keepAlive} onChange={(e) => onPatch({ keepAlive: e.target.checked })} />
                  {t('advanced.keepAlive')}
                </label>
                <div className="field field-proxy">
                  <label htmlFor="rule-proxy">{t('advanced.proxy')}</label>
                  <select
                    id="rule-proxy"
                    value={values.proxyProtocol}
                    aria-describedby="rule-proxy-hint"
                    onChange={(e) => isProxyProtocol(e.target.value) && onPatch({ proxyProtocol: e.target.value })}
                  >
                    {PROXY_PROTOCOLS.map((p) => (
                      <option key={p.value} value={p.value}>
                        {p.value === 'off' ? t('advanced.proxyOff') : p.label}
                      </option>
                    ))}
                  </select>
                  <p id="rule-proxy-hint" className="field-hint">
                    {t('advanced.proxyHint')}
                  </p>
                </div>
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}
