import { useTranslation } from 'react-i18next';
import type { RelayAgentStatus } from '../../src-shared/model/relay';
import { fmtBytes, fmtDateTime, fmtDuration } from '../i18n/format';
import { useNow } from '../lib/use-now';

/** Each agent of the relay's settings: online or not, from where, since when, which ports it may ask for. */
export function RelayAgentsTable({ agents }: { agents: readonly RelayAgentStatus[] }) {
  const { t } = useTranslation();
  const now = useNow(agents.some((a) => a.online));
  return (
    <section className="card" aria-labelledby="relay-agents-title">
      <div className="card-head">
        <h3 id="relay-agents-title">{t('relayView.agents')}</h3>
      </div>
      {agents.length === 0 ? (
        <p className="muted card-empty">{t('relayView.agentsEmpty')}</p>
      ) : (
        <table className="data-table" aria-label={t('relayView.agentsTable')}>
          <thead>
            <tr>
              <th scope="col">{t('relayView.col.agent')}</th>
              <th scope="col">{t('relayView.col.state')}</th>
              <th scope="col">{t('relayView.col.address')}</th>
              <th scope="col" className="num">
                {t('relayView.col.connectedFor')}
              </th>
              <th scope="col">{t('relayView.col.mayAskFor')}</th>
              <th scope="col" className="num">
                {t('relayView.col.ports')}
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.name} data-testid="relay-agent-row" data-agent-name={a.name} data-online={a.online}>
                <td className="cell-strong">{a.name}</td>
                <td>
                  <span className={`pill ${a.online ? 'pill-green' : 'pill-grey'}`} data-testid="relay-agent-state">
                    <span className="pill-dot" aria-hidden="true" />
                    {a.online ? t('relayView.online') : t('relayView.offline')}
                  </span>
                </td>
                <td>{a.address ? <code>{a.address}</code> : <span className="muted">—</span>}</td>
                <td className="num" title={a.since ? fmtDateTime(a.since) : undefined}>
                  {a.online && a.since ? fmtDuration(Math.max(0, now - a.since)) : '—'}
                </td>
                <td>{a.allowPorts ? <code>{a.allowPorts}</code> : <span className="muted">{t('relayView.none')}</span>}</td>
                <td className="num" data-testid="relay-agent-exposures" data-value={a.exposures.length}>
                  {a.exposures.length}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Every public port open now, with its traffic. */
export function RelayExposuresTable({ agents }: { agents: readonly RelayAgentStatus[] }) {
  const { t } = useTranslation();
  const rows = agents.flatMap((a) => a.exposures.map((e) => ({ agent: a.name, ...e })));
  return (
    <section className="card" aria-labelledby="relay-ports-title">
      <div className="card-head">
        <h3 id="relay-ports-title">{t('relayView.publicPorts')}</h3>
      </div>
      {rows.length === 0 ? (
        <p className="muted card-empty">{t('relayView.portsEmpty')}</p>
      ) : (
        <table className="data-table" aria-label={t('relayView.publicPorts')}>
          <thead>
            <tr>
              <th scope="col">{t('relayView.col.publicAddress')}</th>
              <th scope="col">{t('relayView.col.agent')}</th>
              <th scope="col">{t('relayView.col.protocol')}</th>
              <th scope="col">{t('relayView.col.mapping')}</th>
              <th scope="col" className="num" title={t('relayView.col.inTitle')}>
                {t('relayView.col.in')}
              </th>
              <th scope="col" className="num" title={t('relayView.col.outTitle')}>
                {t('relayView.col.out')}
              </th>
              <th scope="col" className="num" title={t('relayView.col.connsTitle')}>
                {t('relayView.col.conns')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={`${e.agent}:${e.id}`} data-testid="relay-exposure-row" data-agent-name={e.agent} data-public-address={e.publicAddress}>
                <td>
                  <code>{e.publicAddress}</code>
                </td>
                <td>{e.agent}</td>
                <td>
                  <span className="proto">{e.protocol.toUpperCase()}</span>
                  {e.kind === 'http' && <span className="proto proto-extra">HTTP</span>}
                </td>
                <td className="cell-clip" title={e.source === 'config' ? t('relayView.assignedTitle') : t('relayView.askedTitle')}>
                  {e.name ?? (e.localPort ? t('relayView.localPort', { port: e.localPort }) : '—')}
                  {e.source === 'config' && <span className="muted">{t('relayView.assigned')}</span>}
                </td>
                <td className="num" data-testid="relay-exposure-in" data-value={e.bytesIn}>
                  {fmtBytes(e.bytesIn)}
                </td>
                <td className="num" data-testid="relay-exposure-out" data-value={e.bytesOut}>
                  {fmtBytes(e.bytesOut)}
                </td>
                <td className="num" data-testid="relay-exposure-conns">
                  {e.activeConnections} <span className="muted">({e.totalConnections})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
