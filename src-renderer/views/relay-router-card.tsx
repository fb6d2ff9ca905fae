import { useTranslation } from 'react-i18next';
import { formatHostPort } from '../../src-shared/format/address';
import type { RelayRouterPort } from '../../src-shared/model/relay';
import { CopyButton } from '../components/copy-button';
import { language } from '../i18n/i18n';
import { useNow } from '../lib/use-now';
import { untilText } from './detail-router';
import '../router.css';

// The Relay view's "On the router" card: for the agent port and each public port an agent holds, where
// the internet reaches it (with a copy button) and when the lease renews, or why the router would not
// (stable code and the router's own code); the double-NAT warning once for the whole relay.

function PortLine({ p, now }: { p: RelayRouterPort; now: number }) {
  const { t } = useTranslation();
  const m = p.mapping;
  const vars = { port: p.port, protocol: p.protocol.toUpperCase(), agent: p.agent ?? '', name: p.name ?? '' };
  const label = p.role === 'agent-port' ? t('router.relay.agentPort', vars) : p.name ? t('router.relay.publicPortNamed', vars) : t('router.relay.publicPort', vars);
  const address = m.externalAddress !== undefined && m.externalPort !== undefined ? formatHostPort(m.externalAddress, m.externalPort) : undefined;
  const method = m.method ? t(`router.method.${m.method}`) : '';
  return (
    <li className="relay-router-port" data-testid="relay-router-port" data-port={p.port} data-protocol={p.protocol} data-router-state={m.state}>
      <span className="cell-strong">{label}</span>
      {m.state === 'mapping' && <p className="muted">{t('router.detail.mapping')}</p>}
      {m.state === 'mapped' && address && (
        <p className="router-reachable">
          <span>
            {m.leaseSeconds && m.renewAt !== undefined
              ? t('router.detail.reachable', { address, method, duration: untilText(m.renewAt - now) })
              : t('router.detail.reachablePermanent', { address, method })}
          </span>
          <CopyButton text={address} label={t('router.detail.copyAria', { address })} className="btn btn-small" />
        </p>
      )}
      {m.state === 'failed' && m.error && (
        <div className="detail-error" role="status" data-testid="relay-router-error">
          <p>
            {language() === 'en' ? '' : `${t(`router.error.${m.error.code}`)}: `}
            {m.error.message}
          </p>
          <p className="detail-error-meta">
            <code>{m.error.code}</code>
            {m.error.routerCode !== undefined && <> · {t('router.detail.routerCode', { code: m.error.routerCode })}</>}
            {m.renewAt !== undefined && <> · {t('router.detail.retryIn', { duration: untilText(m.renewAt - now) })}</>}
          </p>
        </div>
      )}
    </li>
  );
}

export function RelayRouterCard({ ports }: { ports: readonly RelayRouterPort[] }) {
  const { t } = useTranslation();
  const now = useNow(ports.some((p) => p.mapping.renewAt !== undefined), 15_000);
  const doubleNat = ports.find((p) => p.mapping.state === 'mapped' && p.mapping.warning?.code === 'DOUBLE_NAT');
  return (
    <section className="card relay-router" aria-labelledby="relay-router-title" data-testid="relay-router">
      <div className="card-head">
        <h3 id="relay-router-title">{t('router.relay.heading')}</h3>
      </div>
      <ul className="relay-router-ports" aria-label={t('router.relay.tableAria')}>
        {ports.map((p) => (
          <PortLine key={`${p.protocol}-${p.port}-${p.role}`} p={p} now={now} />
        ))}
      </ul>
      {doubleNat && (
        <div className="detail-warning" role="status" data-testid="relay-router-double-nat">
          <p>{t('router.relay.doubleNat', { address: doubleNat.mapping.externalAddress ?? '' })}</p>
          <p className="detail-error-meta">
            <code>DOUBLE_NAT</code>
          </p>
        </div>
      )}
    </section>
  );
}
