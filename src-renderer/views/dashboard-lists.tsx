import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatRate } from '../../src-shared/format/units';
import { useNow } from '../lib/use-now';
import { setUi, useApp } from '../store/app-store';
import { rulesInTrouble, topByRate, topByToday, type TopItem, type TroubleItem } from '../store/dashboard';
import { useTraffic } from '../store/traffic';
import { StatusPill } from './status-pill';

/** Opens the Mappings view with this mapping selected (the Mappings view keeps its selection in ui.selectedId). */
export function showRuleInMappings(id: string): void {
  setUi({ view: 'mappings', selectedId: id });
}

function RuleLink({ id, name }: { id: string; name: string }) {
  return (
    <button type="button" className="dash-rule-link" title={`Show “${name}” in Mappings`} onClick={() => showRuleInMappings(id)}>
      {name}
    </button>
  );
}

function TopList({ items, format, label, empty, testId }: { items: TopItem[]; format: (n: number) => string; label: string; empty: string; testId: string }) {
  const max = items.reduce((m, t) => Math.max(m, t.valueIn + t.valueOut), 0);
  return (
    <div className="dash-top" data-testid={testId}>
      <h3>{label}</h3>
      {items.length === 0 ? (
        <p className="dash-empty">{empty}</p>
      ) : (
        <ol className="dash-bars">
          {items.map((t) => {
            const sum = t.valueIn + t.valueOut;
            return (
              <li key={t.id} data-testid="top-rule" data-rule-name={t.name} data-value={Math.round(sum)}>
                <div className="dash-bar-label">
                  <RuleLink id={t.id} name={t.name} />
                  <span className="dash-bar-value" title={`In ${format(t.valueIn)} · Out ${format(t.valueOut)}`}>
                    {format(sum)}
                  </span>
                </div>
                <div className="dash-bar" aria-hidden="true">
                  <span className="dash-bar-in" style={{ width: `${max > 0 ? (t.valueIn / max) * 100 : 0}%` }} />
                  <span className="dash-bar-out" style={{ width: `${max > 0 ? (t.valueOut / max) * 100 : 0}%` }} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

/** The busiest mappings right now (this tick's rate) and today (the host's history). */
export function TopRules() {
  const order = useApp((s) => s.order);
  const rules = useApp((s) => s.rules);
  const stats = useApp((s) => s.stats);
  const byRate = useMemo(() => topByRate({ order, rules, stats }), [order, rules, stats]);
  const summary = useTraffic((s) => s.summary);
  const byToday = useMemo(() => topByToday({ order, rules }, summary), [order, rules, summary]);
  return (
    <section className="dash-card" aria-labelledby="dash-top-title">
      <div className="dash-card-head">
        <h2 id="dash-top-title">Top mappings by traffic</h2>
      </div>
      <div className="dash-top-grid">
        <TopList items={byRate} format={formatRate} label="Right now" empty="No traffic right now." testId="top-by-rate" />
        <TopList items={byToday} format={formatBytes} label="Today" empty="No traffic today yet." testId="top-by-today" />
      </div>
    </section>
  );
}

const KIND_TEXT: Record<TroubleItem['kind'], string> = {
  failed: 'Stopped after an error',
  retrying: 'Retrying',
  connection: 'Running, but its last connection failed',
};

function TroubleRow({ item, now }: { item: TroubleItem; now: number }) {
  const status = useApp((s) => s.statuses[item.id]);
  const retryIn = item.nextRetryAt !== undefined ? Math.max(0, Math.ceil((item.nextRetryAt - now) / 1000)) : null;
  return (
    <li className={`dash-trouble dash-trouble-${item.kind}`} data-testid="trouble-rule" data-rule-name={item.name} data-kind={item.kind}>
      <div className="dash-trouble-head">
        <RuleLink id={item.id} name={item.name} />
        {status && <StatusPill status={status} />}
        <span className="muted dash-trouble-kind">
          {KIND_TEXT[item.kind]}
          {retryIn !== null && item.kind === 'retrying' ? ` · next attempt in ${retryIn} s` : ''}
        </span>
      </div>
      {item.problem ? (
        <p className="dash-trouble-msg" data-testid="trouble-message">
          {item.problem.message}
          <span className="muted"> · {new Date(item.problem.at).toLocaleTimeString()}</span>
        </p>
      ) : (
        <p className="dash-trouble-msg muted">No reason was given.</p>
      )}
    </li>
  );
}

/** Mappings that failed, are retrying, or run with a failing last connection — with what went wrong. */
export function RulesInTrouble() {
  const { order, rules, statuses } = useApp(useShallow((s) => ({ order: s.order, rules: s.rules, statuses: s.statuses })));
  const items = useMemo(() => rulesInTrouble({ order, rules, statuses }), [order, rules, statuses]);
  const now = useNow(items.some((i) => i.kind === 'retrying'));
  return (
    <section className="dash-card" aria-labelledby="dash-trouble-title" data-testid="rules-in-trouble">
      <div className="dash-card-head">
        <h2 id="dash-trouble-title">Mappings in trouble</h2>
        {items.length > 0 && <span className="dash-count dash-count-bad">{items.length}</span>}
      </div>
      {items.length === 0 ? (
        <p className="dash-empty dash-all-good">Every enabled mapping is working.</p>
      ) : (
        <ul className="dash-trouble-list">
          {items.map((i) => (
            <TroubleRow key={i.id} item={i} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}
