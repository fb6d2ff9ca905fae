import { useLayoutEffect, useRef, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import { CopyButton } from '../components/copy-button';
import { RateChart } from '../components/sparkline';
import { connectAddressOf } from '../forms/rule-address';
import { optionFacts, routeFacts, type Fact } from '../forms/rule-facts';
import { fmtBytes, fmtDuration, fmtRate, fmtTime } from '../i18n/format';
import { translateError } from '../i18n/messages';
import { shownState } from '../../src-shared/model/status';
import { useNow } from '../lib/use-now';
import { openDialog, showConnectionsOf, useApp } from '../store/app-store';
import { selectMapping } from './mapping-focus';
import { DetailLog } from './detail-log';
import { DetailRouter } from './detail-router';
import { RuleSwitch } from './rule-switch';
import { stateLabel, StatusPill } from './status-pill';
import { useDuplicate } from './use-duplicate';

export const DETAIL_CHART = { width: 340, height: 96 };

/** `label`: names the list when its section heading does not (the organisation facts under Options). */
function Facts({ facts, id, label }: { facts: readonly Fact[]; id: string; label?: string }) {
  return (
    <dl className="facts" data-testid={`facts-${id}`} aria-label={label}>
      {facts.map((f) => (
        <div key={f.label}>
          <dt>{f.label}</dt>
          <dd>{f.mono ? <code>{f.value}</code> : f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Keeps the sticky pane within the scrolling main area, whatever height the log panel leaves it, so the
 * pane scrolls on its own. A ResizeObserver, not a CSS size container on the main area: that one is
 * shared with every view (and slowed the log panel's own scrolling).
 */
function useFitToMain(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const el = ref.current;
    const main = el?.closest('.app-main');
    if (!el || !(main instanceof HTMLElement)) return;
    const fit = () => {
      const cs = getComputedStyle(main);
      el.style.maxHeight = `${main.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)}px`;
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(main);
    return () => ro.disconnect();
  }, [ref]);
}

function clock(ts: number): string {
  return fmtTime(ts, { hour12: false });
}

function DetailTraffic({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const stats = useApp((s) => s.stats[id]);
  const series = useApp((s) => s.series[id]);
  if (!stats || !series) return null;
  return (
    <section className="detail-section" aria-labelledby="detail-traffic">
      <h3 id="detail-traffic">{t('mappings.detail.traffic')}</h3>
      <RateChart series={series} label={t('mappings.detail.chart', { name })} {...DETAIL_CHART} />
      <p className="chart-legend">
        <span className="legend-in">{t('mappings.detail.in')}</span> <span className="legend-out">{t('mappings.detail.out')}</span>{' '}
        <span className="muted">· {t('mappings.detail.last2Minutes')}</span>
      </p>
      <dl className="facts facts-traffic">
        <div>
          <dt>{t('mappings.detail.rate')}</dt>
          <dd data-testid="detail-rate">
            <span className="rate-in">{fmtRate(stats.rateIn)}</span> / <span className="rate-out">{fmtRate(stats.rateOut)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('mappings.detail.totals')}</dt>
          <dd data-testid="detail-totals">
            {fmtBytes(stats.bytesIn)} / {fmtBytes(stats.bytesOut)}
          </dd>
        </div>
        <div>
          <dt>{t('mappings.detail.connections')}</dt>
          <dd data-testid="detail-connections">
            {t('mappings.detail.connectionCounts', { open: stats.activeConnections, total: stats.totalConnections })}
            {stats.activeConnections > 0 && (
              <button type="button" className="open-link" onClick={() => showConnectionsOf(id)} aria-label={t('mappings.detail.showConnectionsAria', { name })}>
                {t('mappings.detail.showConnections')}
              </button>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** Everything about the selected mapping: state and error, route, traffic, options, its recent log. */
export function MappingDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const { rule, status } = useApp(useShallow((s) => ({ rule: s.rules[id], status: s.statuses[id] })));
  const nameOf = useApp(
    useShallow((s) => {
      const server = rule ? ruleServerId(rule) : undefined;
      const relay = rule ? ruleRelayId(rule) : undefined;
      return { server: server ? s.servers.entries[server]?.server.name : undefined, relay: relay ? s.relays.entries[relay]?.relay.name : undefined };
    }),
  );
  const duplicate = useDuplicate();
  const pane = useRef<HTMLElement>(null);
  useFitToMain(pane);
  // Ticks only for a retry countdown: a running clock would add a frame a second out of step with the stats.
  const now = useNow(status?.state === 'retrying', 1000);
  if (!rule || !status) return null;
  const address = connectAddressOf(rule, status);
  const problem = status.error && (status.state === 'failed' || status.state === 'retrying') ? status.error : undefined;
  const close = () => selectMapping(null);

  return (
    <aside
      ref={pane}
      className="detail"
      aria-labelledby="detail-title"
      data-testid="mapping-detail"
      data-rule-id={id}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented) return;
        e.preventDefault();
        close();
        document.querySelector<HTMLElement>(`[data-testid="rule-row"][data-rule-id="${CSS.escape(id)}"]`)?.focus();
      }}
    >
      <header className="detail-head">
        <RuleSwitch rule={rule} status={status} />
        <h2 id="detail-title" title={rule.name}>
          {rule.name}
        </h2>
        <button type="button" className="btn btn-ghost detail-close" aria-label={t('mappings.detail.closeAria')} onClick={close}>
          ✕
        </button>
      </header>
      <div className="detail-actions">
        <button type="button" className="btn btn-small" onClick={() => openDialog({ kind: 'edit', id })} aria-label={t('mappings.detail.editAria', { name: rule.name })}>
          {t('common.edit')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => void duplicate(id)} aria-label={t('mappings.detail.duplicateAria', { name: rule.name })}>
          {t('mappings.row.duplicate')}
        </button>
        {address && <CopyButton text={address} label={t('mappings.detail.copyAddressAria', { address })} caption={t('mappings.detail.copyAddress')} className="btn btn-small" />}
        <button type="button" className="btn btn-small btn-danger" onClick={() => openDialog({ kind: 'delete', id })} aria-label={t('mappings.detail.deleteAria', { name: rule.name })}>
          {t('common.delete')}
        </button>
      </div>

      <section className="detail-section" aria-labelledby="detail-status">
        <h3 id="detail-status">{t('mappings.detail.status')}</h3>
        <p className="detail-state" data-testid="detail-state" data-state={status.state}>
          <StatusPill status={status} />
          <span className="muted">
            {t('mappings.detail.stateSince', { state: stateLabel(shownState(status)).toLowerCase(), time: clock(status.degraded?.since ?? status.since) })}
          </span>
        </p>
        {problem && (
          <div className="detail-error" data-testid="detail-error" role="status">
            <p>{translateError(problem)}</p>
            <p className="detail-error-meta">
              <code data-testid="detail-error-code">{problem.code}</code> · {t('mappings.detail.at', { time: clock(problem.at) })}
              {status.state === 'retrying' && status.nextRetryAt !== undefined && (
                <> · {t('mappings.detail.nextAttemptIn', { duration: fmtDuration(Math.max(0, status.nextRetryAt - now)) })}</>
              )}
            </p>
          </div>
        )}
        {status.state === 'running' && status.degraded && (
          <div className="detail-warning" data-testid="detail-degraded">
            <p>{t('mappings.row.degraded', { count: status.degraded.failures, message: translateError(status.degraded.error) })}</p>
          </div>
        )}
        {status.lastConnectionError && !status.degraded && (
          <div className="detail-warning" data-testid="detail-last-connection-error">
            <p>{t('mappings.row.lastConnectionFailed', { message: translateError(status.lastConnectionError) })}</p>
            <p className="detail-error-meta">
              <code>{status.lastConnectionError.code}</code> · {t('mappings.detail.at', { time: clock(status.lastConnectionError.at) })}
            </p>
          </div>
        )}
      </section>

      <DetailRouter rule={rule} status={status} />

      <section className="detail-section" aria-labelledby="detail-route">
        <h3 id="detail-route">{t('mappings.detail.route')}</h3>
        <Facts facts={routeFacts(rule, status, (x) => (x === ruleServerId(rule) ? nameOf.server : nameOf.relay))} id="route" />
      </section>

      <DetailTraffic id={id} name={rule.name} />

      <section className="detail-section" aria-labelledby="detail-options">
        <h3 id="detail-options">{t('mappings.detail.options')}</h3>
        <Facts facts={optionFacts(rule)} id="options" />
        {(rule.group || rule.tags.length > 0 || rule.notes) && (
          <Facts
            id="organisation"
            label={t('mappings.detail.organisation')}
            facts={[
              ...(rule.group ? [{ label: t('mappings.detail.group'), value: rule.group }] : []),
              ...(rule.tags.length > 0 ? [{ label: t('mappings.detail.tags'), value: rule.tags.join(', ') }] : []),
              ...(rule.notes ? [{ label: t('mappings.detail.notes'), value: rule.notes }] : []),
            ]}
          />
        )}
      </section>

      <DetailLog id={id} />
    </aside>
  );
}
