import { useLayoutEffect, useRef, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatDuration, formatRate } from '../../src-shared/format/units';
import { ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { CopyButton } from '../components/copy-button';
import { RateChart } from '../components/sparkline';
import { Switch } from '../components/switch';
import { connectAddressOf } from '../forms/rule-address';
import { optionFacts, routeFacts, type Fact } from '../forms/rule-facts';
import { useNow } from '../lib/use-now';
import { openDialog, showConnectionsOf, useApp } from '../store/app-store';
import { selectMapping } from './mapping-focus';
import { DetailLog } from './detail-log';
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
  return new Date(ts).toLocaleTimeString([], { hour12: false });
}

function DetailTraffic({ id, name }: { id: string; name: string }) {
  const stats = useApp((s) => s.stats[id]);
  const series = useApp((s) => s.series[id]);
  if (!stats || !series) return null;
  return (
    <section className="detail-section" aria-labelledby="detail-traffic">
      <h3 id="detail-traffic">Traffic</h3>
      <RateChart series={series} label={`Throughput of ${name} over the last two minutes, in and out`} {...DETAIL_CHART} />
      <p className="chart-legend">
        <span className="legend-in">In</span> <span className="legend-out">Out</span> <span className="muted">· last 2 minutes</span>
      </p>
      <dl className="facts facts-traffic">
        <div>
          <dt>Rate</dt>
          <dd data-testid="detail-rate">
            <span className="rate-in">{formatRate(stats.rateIn)}</span> / <span className="rate-out">{formatRate(stats.rateOut)}</span>
          </dd>
        </div>
        <div>
          <dt>Total in / out</dt>
          <dd data-testid="detail-totals">
            {formatBytes(stats.bytesIn)} / {formatBytes(stats.bytesOut)}
          </dd>
        </div>
        <div>
          <dt>Connections</dt>
          <dd data-testid="detail-connections">
            {stats.activeConnections} open, {stats.totalConnections} since start
            {stats.activeConnections > 0 && (
              <button type="button" className="open-link" onClick={() => showConnectionsOf(id)} aria-label={`Show the open connections of ${name}`}>
                show
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
  const { rule, status } = useApp(useShallow((s) => ({ rule: s.rules[id], status: s.statuses[id] })));
  const nameOf = useApp(
    useShallow((s) => {
      const server = rule ? ruleServerId(rule) : undefined;
      const relay = rule ? ruleRelayId(rule) : undefined;
      return { server: server ? s.servers.entries[server]?.server.name : undefined, relay: relay ? s.relays.entries[relay]?.relay.name : undefined };
    }),
  );
  const actions = useActions();
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
        <Switch checked={rule.enabled} label={`Enable ${rule.name}`} onChange={(on) => void actions.setEnabled(id, on)} />
        <h2 id="detail-title" title={rule.name}>
          {rule.name}
        </h2>
        <button type="button" className="btn btn-ghost detail-close" aria-label="Close details" onClick={close}>
          ✕
        </button>
      </header>
      <div className="detail-actions">
        <button type="button" className="btn btn-small" onClick={() => openDialog({ kind: 'edit', id })} aria-label={`Edit ${rule.name} (details)`}>
          Edit
        </button>
        <button type="button" className="btn btn-small" onClick={() => void duplicate(id)} aria-label={`Duplicate ${rule.name} (details)`}>
          Duplicate
        </button>
        {address && <CopyButton text={address} label={`Copy address ${address}`} caption="Copy address" className="btn btn-small" />}
        <button type="button" className="btn btn-small btn-danger" onClick={() => openDialog({ kind: 'delete', id })} aria-label={`Delete ${rule.name} (details)`}>
          Delete
        </button>
      </div>

      <section className="detail-section" aria-labelledby="detail-status">
        <h3 id="detail-status">Status</h3>
        <p className="detail-state" data-testid="detail-state" data-state={status.state}>
          <StatusPill status={status} />
          <span className="muted">
            {stateLabel(status.state).toLowerCase()} since {clock(status.since)}
          </span>
        </p>
        {problem && (
          <div className="detail-error" data-testid="detail-error" role="status">
            <p>{problem.message}</p>
            <p className="detail-error-meta">
              <code data-testid="detail-error-code">{problem.code}</code> · at {clock(problem.at)}
              {status.state === 'retrying' && status.nextRetryAt !== undefined && (
                <> · next attempt in {formatDuration(Math.max(0, status.nextRetryAt - now))}</>
              )}
            </p>
          </div>
        )}
        {status.lastConnectionError && (
          <div className="detail-warning" data-testid="detail-last-connection-error">
            <p>Last connection failed: {status.lastConnectionError.message}</p>
            <p className="detail-error-meta">
              <code>{status.lastConnectionError.code}</code> · at {clock(status.lastConnectionError.at)}
            </p>
          </div>
        )}
      </section>

      <section className="detail-section" aria-labelledby="detail-route">
        <h3 id="detail-route">Route</h3>
        <Facts facts={routeFacts(rule, status, (x) => (x === ruleServerId(rule) ? nameOf.server : nameOf.relay))} id="route" />
      </section>

      <DetailTraffic id={id} name={rule.name} />

      <section className="detail-section" aria-labelledby="detail-options">
        <h3 id="detail-options">Options</h3>
        <Facts facts={optionFacts(rule)} id="options" />
        {(rule.group || rule.tags.length > 0 || rule.notes) && (
          <Facts
            id="organisation"
            label="Organisation"
            facts={[
              ...(rule.group ? [{ label: 'Group', value: rule.group }] : []),
              ...(rule.tags.length > 0 ? [{ label: 'Tags', value: rule.tags.join(', ') }] : []),
              ...(rule.notes ? [{ label: 'Notes', value: rule.notes }] : []),
            ]}
          />
        )}
      </section>

      <DetailLog id={id} />
    </aside>
  );
}
