import { memo, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import { formatBytes, formatRate } from '../../src-shared/format/units';
import { useActions } from '../api/api-context';
import { CopyButton } from '../components/copy-button';
import { Sparkline } from '../components/sparkline';
import { Switch } from '../components/switch';
import { connectAddressOf } from '../forms/rule-address';
import { describeRoute } from '../forms/rule-describe';
import { countRender } from '../lib/render-probe';
import { openDialog, showConnectionsOf, useApp } from '../store/app-store';
import { setTagFilter } from '../store/mapping-view';
import { selectMapping } from './mapping-focus';
import { RouteLine } from './route-line';
import { StatusPill } from './status-pill';
import { useDuplicate } from './use-duplicate';

function RowSparkline({ id, name }: { id: string; name: string }) {
  const series = useApp((s) => s.series[id]);
  if (!series) return <div className="sparkline sparkline-idle" data-testid="sparkline" data-points={0} />;
  return <Sparkline series={series} label={`Throughput of ${name} over the last two minutes`} />;
}

/** A click on the row's own surface selects it; clicks on its controls do what they say. */
function onRowClick(e: MouseEvent<HTMLLIElement>, id: string): void {
  if (e.target instanceof Element && e.target.closest('button, a, input, select, textarea, label')) return;
  selectMapping(id, true);
}

export interface MappingRowProps {
  id: string;
  selected: boolean;
  /** The row Tab lands on (roving tabindex: the selected row, else the first). */
  tabStop: boolean;
  /** The active tag filter (its chip shows pressed). */
  activeTag: string;
}

/** One mapping. Subscribes to its own rule, status and counters only, so a stats tick re-renders just the rows that moved. */
export const MappingRow = memo(function MappingRow({ id, selected, tabStop, activeTag }: MappingRowProps) {
  countRender(`row:${id}`);
  const { rule, status, stats } = useApp(useShallow((s) => ({ rule: s.rules[id], status: s.statuses[id], stats: s.stats[id] })));
  const serverId = rule ? ruleServerId(rule) : undefined;
  const relayId = rule ? ruleRelayId(rule) : undefined;
  const serverName = useApp((s) =>
    serverId !== undefined ? s.servers.entries[serverId]?.server.name : relayId !== undefined ? s.relays.entries[relayId]?.relay.name : undefined,
  );
  const actions = useActions();
  const duplicate = useDuplicate();
  if (!rule || !status || !stats) return null;
  const route = describeRoute(rule, status, () => serverName);
  const problem = status.state === 'failed' || status.state === 'retrying' ? status.error : undefined;
  const warning = status.state === 'running' ? status.lastConnectionError : undefined;
  const address = connectAddressOf(rule, status);
  const nameId = `row-name-${id}`;

  return (
    <li
      className={`row row-${status.state}${selected ? ' is-selected' : ''}`}
      data-testid="rule-row"
      data-rule-id={id}
      data-rule-name={rule.name}
      data-state={status.state}
      tabIndex={tabStop ? 0 : -1}
      aria-current={selected ? 'true' : undefined}
      aria-labelledby={nameId}
      onClick={(e) => onRowClick(e, id)}
    >
      <div className="row-switch">
        <Switch checked={rule.enabled} label={`Enable ${rule.name}`} onChange={(on) => void actions.setEnabled(id, on)} />
      </div>
      <div className="row-main">
        <div className="row-title">
          <span className="row-name" id={nameId}>
            {rule.name}
          </span>
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
        <div className="row-route-line">
          <RouteLine segments={route.segments} text={route.text} />
          {address && <CopyButton text={address} label={`Copy address of ${rule.name}`} caption={null} />}
        </div>
        {rule.tags.length > 0 && (
          <ul className="tag-list" aria-label={`Tags of ${rule.name}`}>
            {rule.tags.map((t) => {
              const on = t.toLowerCase() === activeTag.toLowerCase();
              return (
                <li key={t}>
                  <button
                    type="button"
                    className={`tag-chip${on ? ' is-on' : ''}`}
                    aria-pressed={on}
                    aria-label={on ? `Stop filtering by tag ${t}` : `Show only mappings tagged ${t}`}
                    onClick={() => setTagFilter(on ? '' : t)}
                  >
                    {t}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {problem && (
          <p className="row-problem" role="status" title={`${problem.message} [${problem.code}]`}>
            {problem.message}
          </p>
        )}
        {warning && (
          <p className="row-warning" role="status" title={`${warning.message} [${warning.code}]`}>
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
        <button type="button" className="btn btn-ghost" aria-label={`Duplicate ${rule.name}`} onClick={() => void duplicate(id)}>
          Duplicate
        </button>
        <button type="button" className="btn btn-ghost btn-danger" aria-label={`Delete ${rule.name}`} onClick={() => openDialog({ kind: 'delete', id })}>
          Delete
        </button>
      </div>
    </li>
  );
});
