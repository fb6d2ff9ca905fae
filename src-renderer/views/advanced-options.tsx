import { useState } from 'react';
import type { AdvancedFieldKey, RuleFormValues } from '../forms/rule-form';
import { countCustomOptions, PROXY_PROTOCOLS, type ProxyProtocol } from '../forms/rule-options';
import { FormField } from './form-field';
import { TextAreaField } from './text-area-field';

export const PROXY_HINT = "Sends the client's real address to the target; the target must expect it";

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
    <section className="advanced" aria-label="Advanced options">
      <div className="advanced-head">
        <button type="button" className="advanced-toggle" aria-expanded={open} aria-controls="rule-advanced" onClick={() => setUserOpen(!open)}>
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          Advanced
        </button>
        {custom > 0 && (
          <span className="muted advanced-summary" data-testid="advanced-summary">
            {custom} {custom === 1 ? 'setting differs' : 'settings differ'} from the defaults
          </span>
        )}
      </div>
      <div id="rule-advanced" className="advanced-body" hidden={!open}>
        {kind === 'socks' && (
          <div className="advanced-grid advanced-grid-3">
            {field('connectTimeout', 'Connect timeout (s)', 'For the destination to accept', 'decimal')}
          </div>
        )}
        {kind !== 'socks' && (
          <>
            <div className="advanced-grid">
              <TextAreaField
                id="rule-allow"
                label="Allow from"
                value={values.allow}
                onValue={(v) => onText('allow', v)}
                onBlur={() => onBlur('allow')}
                error={errorOf('allow')}
                hint="One IP or CIDR range per line or comma-separated. Empty: any address."
                placeholder={'192.168.1.0/24\n10.0.0.5'}
              />
              <TextAreaField
                id="rule-deny"
                label="Deny from"
                value={values.deny}
                onValue={(v) => onText('deny', v)}
                onBlur={() => onBlur('deny')}
                error={errorOf('deny')}
                hint="Refused even when allowed above."
              />
            </div>
            <div className="advanced-grid advanced-grid-3">
              {tcp
                ? field('maxConnections', 'Max connections', '0 = no limit', 'numeric')
                : field('maxSessions', 'Max sessions', 'Clients beyond it are refused', 'numeric')}
              {tcp && field('connectTimeout', 'Connect timeout (s)', 'For the target to accept', 'decimal')}
              {field('idleTimeout', 'Idle timeout (s)', tcp ? 'Without traffic; 0 = never' : 'Then a silent client is dropped', 'decimal')}
            </div>
            {tcp && (
              <div className="advanced-grid advanced-grid-tcp">
                <label className="checkbox">
                  <input type="checkbox" checked={values.keepAlive} onChange={(e) => onPatch({ keepAlive: e.target.checked })} />
                  TCP keepalive
                </label>
                <div className="field field-proxy">
                  <label htmlFor="rule-proxy">PROXY protocol</label>
                  <select
                    id="rule-proxy"
                    value={values.proxyProtocol}
                    aria-describedby="rule-proxy-hint"
                    onChange={(e) => isProxyProtocol(e.target.value) && onPatch({ proxyProtocol: e.target.value })}
                  >
                    {PROXY_PROTOCOLS.map((p) => (
                      <option key={p.value} value={p.value}>
                        {p.label}
                      </option>
                    ))}
                  </select>
                  <p id="rule-proxy-hint" className="field-hint">
                    {PROXY_HINT}
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
