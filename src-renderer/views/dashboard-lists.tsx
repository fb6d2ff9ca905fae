import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { fmtBytes, fmtRate, fmtTime } from '../i18n/format';
import { translateError } from '../i18n/messages';
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
  const { t } = useTranslation();
  return (
    <button type="button" className="dash-rule-link" title={t('dashboard.showInMappings', { name })} onClick={() => showRuleInMappings(id)}>
      {name}
    </button>
  );
}

function TopList({ items, format, label, empty, testId }: { items: TopItem[]; format: (n: number) => string; label: string; empty: string; testId: string }) {
  const { t } = useTranslation();
  const max = items.reduce((m, it) => Math.max(m, it.valueIn + it.valueOut), 0);
  return (
    <div className="dash-top" data-testid={testId}>
      <h3>{label}</h3>
      {items.length === 0 ? (
        <p className="dash-empty">{empty}</p>
      ) : (
        <ol className="dash-bars">
          {items.map((it) => {
            const sum = it.valueIn + it.valueOut;
            return (
              <li key={it.id} data-testid="top-rule" data-rule-name={it.name} data-value={Math.round(sum)}>
                <div className="dash-bar-label">
                  <RuleLink id={it.id} name={it.name} />
                  <span className="dash-bar-value" title={t('dashboard.top.split', { in: format(it.valueIn), out: format(it.valueOut) })}>
                    {format(sum)}
                  </span>
                </div>
                <div className="dash-bar" aria-hidden="true">
                  <span className="dash-bar-in" style={{ width: `${max > 0 ? (it.valueIn / max) * 100 : 0}%` }} />
                  <span className="dash-bar-out" style={{ width: `${max > 0 ? (it.valueOut / max) * 100 : 0}%` }} />
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
  const { t } = useTranslation();
  const order = useApp((s) => s.order);
  const rules = useApp((s) => s.rules);
  const stats = useApp((s) => s.stats);
  const byRate = useMemo(() => topByRate({ order, rules, stats }), [order, rules, stats]);
  const summary = useTraffic((s) => s.summary);
  const byToday = useMemo(() => topByToday({ order, rules }, summary), [order, rules, summary]);
  return (
    <section className="dash-card" aria-labelledby="dash-top-title">
      <div className="dash-card-head">
        <h2 id="dash-top-title">{t('dashboard.top.title')}</h2>
      </div>
      <div className="dash-top-grid">
        <TopList items={byRate} format={fmtRate} label={t('dashboard.top.rightNow')} empty={t('dashboard.top.noneNow')} testId="top-by-rate" />
        <TopList items={byToday} format={fmtBytes} label={t('dashboard.top.today')} empty={t('dashboard.top.noneToday')} testId="top-by-today" />
      </div>
    </section>
  );
}

function TroubleRow({ item, now }: { item: TroubleItem; now: number }) {
  const { t } = useTranslation();
  const status = useApp((s) => s.statuses[item.id]);
  const retryIn = item.nextRetryAt !== undefined ? Math.max(0, Math.ceil((item.nextRetryAt - now) / 1000)) : null;
  return (
    <li className={`dash-trouble dash-trouble-${item.kind}`} data-testid="trouble-rule" data-rule-name={item.name} data-kind={item.kind}>
      <div className="dash-trouble-head">
        <RuleLink id={item.id} name={item.name} />
        {status && <StatusPill status={status} />}
        <span className="muted dash-trouble-kind">
          {t(`dashboard.trouble.kind.${item.kind}`)}
          {retryIn !== null && item.kind === 'retrying' ? ` · ${t('dashboard.trouble.nextAttempt', { seconds: retryIn })}` : ''}
        </span>
      </div>
      {item.problem ? (
        <p className="dash-trouble-msg" data-testid="trouble-message">
          {translateError(item.problem)}
          <span className="muted"> · {fmtTime(item.problem.at)}</span>
        </p>
      ) : (
        <p className="dash-trouble-msg muted">{t('dashboard.trouble.noReason')}</p>
      )}
    </li>
  );
}

/** Mappings that failed, are retrying, or run with a failing last connection — with what went wrong. */
export function RulesInTrouble() {
  const { t } = useTranslation();
  const { order, rules, statuses } = useApp(useShallow((s) => ({ order: s.order, rules: s.rules, statuses: s.statuses })));
  const items = useMemo(() => rulesInTrouble({ order, rules, statuses }), [order, rules, statuses]);
  const now = useNow(items.some((i) => i.kind === 'retrying'));
  return (
    <section className="dash-card" aria-labelledby="dash-trouble-title" data-testid="rules-in-trouble">
      <div className="dash-card-head">
        <h2 id="dash-trouble-title">{t('dashboard.trouble.title')}</h2>
        {items.length > 0 && <span className="dash-count dash-count-bad">{items.length}</span>}
      </div>
      {items.length === 0 ? (
        <p className="dash-empty dash-all-good">{t('dashboard.trouble.allGood')}</p>
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
