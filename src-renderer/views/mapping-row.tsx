import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import { formatBytes, formatRate } from '../../src-shared/format/units';
import { useActions } from '../api/api-context';
import { Sparkline } from '../components/sparkline';
import { Switch } from '../components/switch';
import { describeRoute } from '../forms/rule-describe';
import { openDialog, showConnectionsOf, useApp } from '../store/app-store';
import { RouteLine } from './route-line';
import { StatusPill } from './status-pill';

function RowSparkline({ id, name }: { id: string; name: string }) {
  const series = useApp((s) => s.series[id]);
  if (!series) return <div className="sparkline" data-testid="sparkline" data-points={0} />;
  return <Sparkline series={series} label={`Throughput of ${name} over the last two minutes`} />;
}

/** One mapping. Subscribes to its own rule, status and counters only, so a stats tick re-renders just the rows that moved. */
export const MappingRow = memo(function MappingRow({ id }: { id: string }) {
  const { rule, status, stats } = useApp(useShallow((s) => ({ rule: s.rules[id], status: s.statuses[id], stats: s.stats[id] })));
  const serverId = rule ? ruleServerId(rule) : undefined;
  const relayId = rule ? ruleRelayId(rule) : undefined;
  const serverName = useApp((s) =>
    serverId !== undefined ? s.servers.entries[serverId]?.server.name : relayId !== undefined ? s.relays.entries[relayId]?.relay.name : undefined,
  );
  const actions = useActions();
  if (!rule || !status || !stats) return null;
  const route = describeRoute(rule, status, () => serverName);
  const problem = status.state === 'failed' || status.state === 'retrying' ? status.error : undefined;
  const warning = status.state === 'running' ? status.lastConnectionError : undefined;

  return (
    <li className={`row row-${status.state}`} data-testid="rule-row" data-rule-name={rule.name} data-state={status.state}>
      <div className="row-switch">
        <Switch checked={rule.enabled} label={`Enable ${rule.name}`} onChange={(on) => void actions.setEnabled(id, on)} />
      </div>
      <div className="row-main">
        <div className="row-title">
          <span className="row-name">{rule.name}</span>
          <span className="proto" data-testid="protocol" data-type={rule.type}>
            {route.tag}
          </span>
          <StatusPill status={status} />
          {stats.activeConnections > 0 && (
            <button
              type="button"
              className="open-link"
              data-testid="open-connections"
              aria-label={`${stats.activeConnections} open ${stats.activeConnections === 1 ? 'connection' : 'connections'} of ${rule.name}`}
              onClick={() => showConnectionsOf(id)}
            >
              {stats.activeConnections} open
            </button>
          )}
        </div>
        <RouteLine segments={route.segments} text={route.text} />
        {problem && (
          <p className="row-problem" role="status">
            {problem.message}
          </p>
        )}
        {warning && (
          <p className="row-warning" role="status">
            Last connection failed: {warning.message}
          </p>
        )}
      </div>
      <dl className="row-traffic">
        <div title="Bytes sent by clients to the target">
          <dt>In</dt>
          <dd data-testid="bytes-in" data-value={stats.bytesIn}>
            {formatBytes(stats.bytesIn)}
          </dd>
        </div>
        <div title="Bytes sent by the target back to clients">
          <dt>Out</dt>
          <dd data-testid="bytes-out" data-value={stats.bytesOut}>
            {formatBytes(stats.bytesOut)}
          </dd>
        </div>
        <div title="Current rate, in / out">
          <dt>Rate</dt>
          <dd data-testid="rate">
            <span className="rate-in">{formatRate(stats.rateIn)}</span> / <span className="rate-out">{formatRate(stats.rateOut)}</span>
          </dd>
        </div>
        <div title="Open connections (total since start)">
          <dt>Conns</dt>
          <dd data-testid="connections">
            {stats.activeConnections} <span className="muted">({stats.totalConnections})</span>
          </dd>
        </div>
      </dl>
      <RowSparkline id={id} name={rule.name} />
      <div className="row-actions">
        <button type="button" className="btn btn-ghost" aria-label={`Edit ${rule.name}`} onClick={() => openDialog({ kind: 'edit', id })}>
          Edit
        </button>
        <button type="button" className="btn btn-ghost btn-danger" aria-label={`Delete ${rule.name}`} onClick={() => openDialog({ kind: 'delete', id })}>
          Delete
        </button>
      </div>
    </li>
  );
});
