import type { RelayAgentStatus } from '../../src-shared/model/relay';
import { formatBytes, formatDuration } from '../../src-shared/format/units';
import { useNow } from '../lib/use-now';

/** Each agent of the relay's settings: online or not, from where, since when, which ports it may ask for. */
export function RelayAgentsTable({ agents }: { agents: readonly RelayAgentStatus[] }) {
  const now = useNow(agents.some((a) => a.online));
  return (
    <section className="card" aria-labelledby="relay-agents-title">
      <div className="card-head">
        <h3 id="relay-agents-title">Agents</h3>
      </div>
      {agents.length === 0 ? (
        <p className="muted card-empty">No agents yet — add one in the settings.</p>
      ) : (
        <table className="data-table" aria-label="Relay agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">State</th>
              <th scope="col">Address</th>
              <th scope="col" className="num">
                Connected for
              </th>
              <th scope="col">May ask for</th>
              <th scope="col" className="num">
                Ports
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
                    {a.online ? 'Online' : 'Offline'}
                  </span>
                </td>
                <td>{a.address ? <code>{a.address}</code> : <span className="muted">—</span>}</td>
                <td className="num" title={a.since ? new Date(a.since).toLocaleString() : undefined}>
                  {a.online && a.since ? formatDuration(Math.max(0, now - a.since)) : '—'}
                </td>
                <td>{a.allowPorts ? <code>{a.allowPorts}</code> : <span className="muted">none</span>}</td>
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
  const rows = agents.flatMap((a) => a.exposures.map((e) => ({ agent: a.name, ...e })));
  return (
    <section className="card" aria-labelledby="relay-ports-title">
      <div className="card-head">
        <h3 id="relay-ports-title">Public ports</h3>
      </div>
      {rows.length === 0 ? (
        <p className="muted card-empty">No public ports open. They appear when an agent’s mapping asks for one.</p>
      ) : (
        <table className="data-table" aria-label="Public ports">
          <thead>
            <tr>
              <th scope="col">Public address</th>
              <th scope="col">Agent</th>
              <th scope="col">Protocol</th>
              <th scope="col">Mapping</th>
              <th scope="col" className="num" title="Bytes from public clients">
                In
              </th>
              <th scope="col" className="num" title="Bytes to public clients">
                Out
              </th>
              <th scope="col" className="num" title="Open now (total since the port opened)">
                Conns
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
                <td className="cell-clip" title={e.source === 'config' ? 'Assigned by the relay’s config' : 'Asked for by the agent'}>
                  {e.name ?? (e.localPort ? `local port ${e.localPort}` : '—')}
                  {e.source === 'config' && <span className="muted"> (assigned)</span>}
                </td>
                <td className="num" data-testid="relay-exposure-in" data-value={e.bytesIn}>
                  {formatBytes(e.bytesIn)}
                </td>
                <td className="num" data-testid="relay-exposure-out" data-value={e.bytesOut}>
                  {formatBytes(e.bytesOut)}
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
