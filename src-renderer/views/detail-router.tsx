import { useTranslation } from 'react-i18next';
import { formatHostPort } from '../../src-shared/format/address';
import { type Rule, ruleRouterOption } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { CopyButton } from '../components/copy-button';
import { fmtDuration } from '../i18n/format';
import { language, t as tt } from '../i18n/i18n';
import { useNow } from '../lib/use-now';
import { showView } from '../store/app-store';
import '../router.css';

// The detail pane's "Router" section: where the internet reaches this mapping (with a copy button),
// when the lease renews, why the router would not (stable code and the router's own code), and the
// double-NAT warning with the way out (a relay).

/** Minutes are enough for a lease of an hour ("renews in 52 min"); the countdown ticks every 15 s. */
export function untilText(ms: number): string {
  return ms >= 120_000 ? tt('router.detail.minutes', { count: Math.round(ms / 60_000) }) : fmtDuration(Math.max(0, ms));
}

export function DetailRouter({ rule, status }: { rule: Rule; status: RuleStatus }) {
  const { t } = useTranslation();
  const r = status.router;
  const now = useNow(r?.renewAt !== undefined, 15_000);
  if (!ruleRouterOption(rule) && !r) return null;
  const method = r?.method ? t(`router.method.${r.method}`) : '';
  const address = r?.externalAddress !== undefined && r.externalPort !== undefined ? formatHostPort(r.externalAddress, r.externalPort) : undefined;
  return (
    <section className="detail-section detail-router" aria-labelledby="detail-router" data-testid="detail-router" data-router-state={r?.state ?? 'off'}>
      <h3 id="detail-router">{t('router.detail.heading')}</h3>
      {!r && <p className="muted">{t('router.detail.waiting')}</p>}
      {r?.state === 'mapping' && <p className="muted">{t('router.detail.mapping')}</p>}
      {r?.state === 'mapped' && address && (
        <>
          <p className="router-reachable" data-testid="router-reachable">
            <span>
              {r.leaseSeconds && r.renewAt !== undefined
                ? t('router.detail.reachable', { address, method, duration: untilText(r.renewAt - now) })
                : t('router.detail.reachablePermanent', { address, method })}
            </span>
            <CopyButton text={address} label={t('router.detail.copyAria', { address })} className="btn btn-small" />
          </p>
          <p className="muted router-forwards">
            {t('router.detail.forwardsTo', {
              gateway: r.gateway ?? '?',
              protocol: r.protocol.toUpperCase(),
              address: formatHostPort(r.internalAddress ?? '?', r.internalPort ?? 0),
            })}
          </p>
        </>
      )}
      {r?.state === 'failed' && r.error && (
        <div className="detail-error" data-testid="router-error" role="status">
          <p>
            {language() === 'en' ? '' : `${t(`router.error.${r.error.code}`)}: `}
            {r.error.message}
          </p>
          <p className="detail-error-meta">
            <code data-testid="router-error-code">{r.error.code}</code>
            {r.error.routerCode !== undefined && <> · {t('router.detail.routerCode', { code: r.error.routerCode })}</>}
            {r.renewAt !== undefined && <> · {t('router.detail.retryIn', { duration: untilText(r.renewAt - now) })}</>}
          </p>
        </div>
      )}
      {r?.state === 'mapped' && r.warning?.code === 'DOUBLE_NAT' && (
        <div className="detail-warning" data-testid="router-double-nat" role="status">
          <p>{t('router.detail.doubleNat', { address: r.externalAddress ?? '' })}</p>
          <p className="detail-error-meta">
            <code>DOUBLE_NAT</code>{' '}
            <button type="button" className="btn btn-small" onClick={() => showView('relay')}>
              {t('router.detail.openRelay')}
            </button>
          </p>
        </div>
      )}
    </section>
  );
}
