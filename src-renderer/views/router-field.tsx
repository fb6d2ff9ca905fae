import { useTranslation } from 'react-i18next';
import { ROUTER_METHODS } from '../../src-shared/model/router';
import { Switch } from '../components/switch';
import type { RuleFormValues } from '../forms/rule-form';
import { routerNeedsLanAddress, type RouterFormValues } from '../forms/rule-router';
import { useApp } from '../store/app-store';
import type { RenderField } from './rule-fields';
import '../router.css';

type RouterPatch = Partial<RouterFormValues & Pick<RuleFormValues, 'listenHost'>>;

/** "Open on router" in the rule editor (tcp-forward, udp-forward, socks). */
export function RouterField({ values, field, onPatch }: { values: RuleFormValues; field: RenderField; onPatch: (p: RouterPatch) => void }) {
  const { t } = useTranslation();
  const lan = useApp((s) => s.info?.lanAddresses) ?? [];
  const loopback = routerNeedsLanAddress(values);
  return (
    <fieldset className="endpoint router-field" data-testid="router-field">
      <legend>{t('router.field.legend')}</legend>
      <div className="router-switch-row">
        <Switch checked={values.routerEnabled} label={t('router.field.switch')} onChange={(on) => onPatch({ routerEnabled: on })} />
        <span className="router-switch-label" aria-hidden="true">
          {t('router.field.switch')}
        </span>
      </div>
      <p className="field-hint router-lead">{t('router.field.lead')}</p>
      {values.routerEnabled && (
        <>
          {loopback && (
            <div className="field-warning router-loopback" role="status" data-testid="router-loopback">
              <p>{t('router.field.loopback', { host: values.listenHost.trim() })}</p>
              {lan.length === 0 ? (
                <p>{t('router.field.noLan')}</p>
              ) : (
                <p className="router-lan-choices">
                  {lan.map((address) => (
                    <button key={address} type="button" className="btn btn-small" onClick={() => onPatch({ listenHost: address })}>
                      {t('router.field.useAddress', { address })}
                    </button>
                  ))}
                  <button type="button" className="btn btn-small" onClick={() => onPatch({ listenHost: '0.0.0.0' })}>
                    {t('router.field.useAll')}
                  </button>
                </p>
              )}
            </div>
          )}
          <div className="router-options">
            {field('routerExternalPort', t('router.field.externalPort'), {
              inputMode: 'numeric',
              placeholder: values.listenPort.trim() || '8080',
              hint: t('router.field.externalPortHint'),
            })}
            <div className="field field-router-protocol" role="radiogroup" aria-labelledby="rule-router-protocol-label">
              <span id="rule-router-protocol-label" className="field-label">
                {t('router.field.protocol')}
              </span>
              <div className="segmented">
                {ROUTER_METHODS.map((m) => (
                  <label key={m} className={values.routerProtocol === m ? 'segment is-on' : 'segment'}>
                    <input type="radio" name="rule-router-protocol" value={m} checked={values.routerProtocol === m} onChange={() => onPatch({ routerProtocol: m })} />
                    {t(`router.field.${m}`)}
                  </label>
                ))}
              </div>
            </div>
          </div>
        </>
      )}
    </fieldset>
  );
}
