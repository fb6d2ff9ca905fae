import { useTranslation } from 'react-i18next';
import { ROUTER_METHODS } from '../../src-shared/model/router';
import { Switch } from '../components/switch';
import { relayRouterLoopback, type RelayServerFormValues } from '../forms/relay-server-form';
import '../router.css';

type RouterPatch = Partial<Pick<RelayServerFormValues, 'routerEnabled' | 'routerProtocol' | 'bindHost' | 'publicHost'>>;

/** "Open on router" in the relay's settings: the switch, the protocol, and why loopback cannot be mapped. */
export function RelayRouterField({ values, onPatch }: { values: RelayServerFormValues; onPatch: (p: RouterPatch, touched: string) => void }) {
  const { t } = useTranslation();
  const loopback = relayRouterLoopback(values);
  const which = loopback.length === 2 ? 'loopbackBoth' : loopback[0] === 'bindHost' ? 'loopbackBind' : 'loopbackPublic';
  return (
    <fieldset className="endpoint router-field relay-router-field" data-testid="relay-router-field">
      <legend>{t('router.field.legend')}</legend>
      <div className="router-switch-row">
        <Switch checked={values.routerEnabled} label={t('router.relay.switch')} onChange={(on) => onPatch({ routerEnabled: on }, 'routerEnabled')} />
        <span className="router-switch-label" aria-hidden="true">
          {t('router.relay.switch')}
        </span>
      </div>
      <p className="field-hint router-lead">{t('router.relay.lead')}</p>
      {values.routerEnabled && (
        <>
          {loopback.length > 0 && (
            <div className="field-warning router-loopback" role="status" data-testid="relay-router-loopback">
              <p>{t(`router.relay.${which}`)}</p>
              <p className="router-lan-choices">
                <button type="button" className="btn btn-small" onClick={() => onPatch(Object.fromEntries(loopback.map((k) => [k, '0.0.0.0'])), loopback[0]!)}>
                  {t('router.relay.useAll')}
                </button>
              </p>
            </div>
          )}
          <div className="field field-router-protocol" role="radiogroup" aria-labelledby="relay-router-protocol-label">
            <span id="relay-router-protocol-label" className="field-label">
              {t('router.field.protocol')}
            </span>
            <div className="segmented">
              {ROUTER_METHODS.map((m) => (
                <label key={m} className={values.routerProtocol === m ? 'segment is-on' : 'segment'}>
                  <input type="radio" name="relay-router-protocol" value={m} checked={values.routerProtocol === m} onChange={() => onPatch({ routerProtocol: m }, 'routerProtocol')} />
                  {t(`router.field.${m}`)}
                </label>
              ))}
            </div>
          </div>
        </>
      )}
    </fieldset>
  );
}
