import { memo, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import { CopyButton } from '../components/copy-button';
import { Sparkline } from '../components/sparkline';
import { connectAddressOf } from '../forms/rule-address';
import { describeRoute } from '../forms/rule-describe';
import { fmtBytes, fmtRate } from '../i18n/format';
import { translateError } from '../i18n/messages';
import { shownState } from '../../src-shared/model/status';
import { countRender } from '../lib/render-probe';
import { openDialog, showConnectionsOf, useApp } from '../store/app-store';
import { setTagFilter } from '../store/mapping-view';
import { selectMapping } from './mapping-focus';
import { RouteLine } from './route-line';
import { RuleSwitch } from './rule-switch';
import { StatusPill } from './status-pill';
import { useDuplicate } from './use-duplicate';

function RowSparkline({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const series = useApp((s) => s.series[id]);
  if (!series) return <div className="sparkline sparkline-idle" data-testid="sparkline" data-points={0} />;
  return <Sparkline series={series} label={t('mappings.row.throughput', { name })} />;
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
  const { t } = useTranslation();
  const { rule, status, stats } = useApp(useShallow((s) => ({ rule: s.rules[id], status: s.statuses[id], stats: s.stats[id] })));
  const serverId = rule ? ruleServerId(rule) : undefined;
  const relayId = rule ? ruleRelayId(rule) : undefined;
  const serverName = useApp((s) =>
    serverId !== undefined ? s.servers.entries[serverId]?.server.name : relayId !== undefined ? s.relays.entries[relayId]?.relay.name : undefined,
  );
  const duplicate = useDuplicate();
  if (!rule || !status || !stats) return null;
  const route = describeRoute(rule, status, () => serverName);
  const problem = status.state === 'failed' || status.state === 'retrying' ? status.error : undefined;
  const degraded = status.state === 'running' ? status.degraded : undefined;
  const warning = status.state === 'running' && !degraded ? status.lastConnectionError : undefined;
  const shown = shownState(status);
  const address = connectAddressOf(rule, status);
  const nameId = `row-name-${id}`;

  return (
    <li
      className={`row row-${shown}${selected ? ' is-selected' : ''}`}
      data-testid="rule-row"
      data-rule-id={id}
      data-rule-name={rule.name}
      data-state={status.state}
      data-shown-state={shown}
      tabIndex={tabStop ? 0 : -1}
      aria-current={selected ? 'true' : undefined}
      aria-labelledby={nameId}
      onClick={(e) => onRowClick(e, id)}
    >
      <div className="row-switch">
        <RuleSwitch rule={rule} status={status} />
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
              aria-label={t('mappings.row.openAria', { count: stats.activeConnections, name: rule.name })}
              onClick={() => showConnectionsOf(id)}
            >
              {t('mappings.row.openCount', { count: stats.activeConnections })}
            </button>
          )}
        </div>
        <div className="row-route-line">
          <RouteLine segments={route.segments} text={route.text} />
          {address && <CopyButton text={address} label={t('mappings.row.copyAddress', { name: rule.name })} caption={null} />}
        </div>
        {rule.tags.length > 0 && (
          <ul className="tag-list" aria-label={t('mappings.row.tagsOf', { name: rule.name })}>
            {rule.tags.map((tag) => {
              const on = tag.toLowerCase() === activeTag.toLowerCase();
              return (
                <li key={tag}>
                  <button
                    type="button"
                    className={`tag-chip${on ? ' is-on' : ''}`}
                    aria-pressed={on}
                    aria-label={on ? t('mappings.row.stopTagFilter', { tag }) : t('mappings.row.filterByTag', { tag })}
                    onClick={() => setTagFilter(on ? '' : tag)}
                  >
                    {tag}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {problem && (
          <p className="row-problem" role="status" title={`${translateError(problem)} [${problem.code}]`}>
            {translateError(problem)}
          </p>
        )}
        {degraded && (
          <p className="row-warning" role="status" data-testid="row-degraded" title={`${translateError(degraded.error)} [${degraded.error.code}]`}>
            {t('mappings.row.degraded', { count: degraded.failures, message: translateError(degraded.error) })}
          </p>
        )}
        {warning && (
          <p className="row-warning" role="status" title={`${translateError(warning)} [${warning.code}]`}>
            {t('mappings.row.lastConnectionFailed', { message: translateError(warning) })}
          </p>
        )}
      </div>
      <dl className="row-traffic">
        <div title={t('mappings.row.inTitle')}>
          <dt>{t('mappings.row.in')}</dt>
          <dd data-testid="bytes-in" data-value={stats.bytesIn}>
            {fmtBytes(stats.bytesIn)}
          </dd>
        </div>
        <div title={t('mappings.row.outTitle')}>
          <dt>{t('mappings.row.out')}</dt>
          <dd data-testid="bytes-out" data-value={stats.bytesOut}>
            {fmtBytes(stats.bytesOut)}
          </dd>
        </div>
        <div title={t('mappings.row.rateTitle')}>
          <dt>{t('mappings.row.rate')}</dt>
          <dd data-testid="rate">
            <span className="rate-in">{fmtRate(stats.rateIn)}</span> / <span className="rate-out">{fmtRate(stats.rateOut)}</span>
          </dd>
        </div>
        <div title={t('mappings.row.connsTitle')}>
          <dt>{t('mappings.row.conns')}</dt>
          <dd data-testid="connections">
            {stats.activeConnections} <span className="muted">({stats.totalConnections})</span>
          </dd>
        </div>
      </dl>
      <RowSparkline id={id} name={rule.name} />
      <div className="row-actions">
        <button type="button" className="btn btn-ghost" aria-label={t('mappings.row.editAria', { name: rule.name })} onClick={() => openDialog({ kind: 'edit', id })}>
          {t('common.edit')}
        </button>
        <button type="button" className="btn btn-ghost" aria-label={t('mappings.row.duplicateAria', { name: rule.name })} onClick={() => void duplicate(id)}>
          {t('mappings.row.duplicate')}
        </button>
        <button type="button" className="btn btn-ghost btn-danger" aria-label={t('mappings.row.deleteAria', { name: rule.name })} onClick={() => openDialog({ kind: 'delete', id })}>
          {t('common.delete')}
        </button>
      </div>
    </li>
  );
});
