import { useEffect, useMemo, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { fmtBytes, fmtNumber, fmtRate } from '../i18n/format';
import { isPageHidden } from '../lib/page-visibility';
import { useApp } from '../store/app-store';
import { liveTotals, sumTotals } from '../store/dashboard';
import { useTraffic, watchTrafficSummary } from '../store/traffic';
import { ThroughputChart } from './dashboard-chart';
import { TrafficHistory } from './dashboard-history';
import { RulesInTrouble, TopRules } from './dashboard-lists';
import '../dashboard.css';

function Tile({ label, children, testId, tone }: { label: string; children: ReactNode; testId: string; tone?: 'bad' }) {
  return (
    <div className={`dash-tile${tone ? ` dash-tile-${tone}` : ''}`} data-testid={testId}>
      <span className="dash-tile-label">{label}</span>
      <span className="dash-tile-value">{children}</span>
    </div>
  );
}

function Tiles() {
  const { t } = useTranslation();
  const totals = useApp(useShallow((s) => liveTotals(s)));
  const summary = useTraffic((s) => s.summary);
  const today = useMemo(() => sumTotals(Object.values(summary).map((r) => r.today)), [summary]);
  return (
    <div className="dash-tiles">
      <Tile label={t('dashboard.tiles.running')} testId="tile-running">
        <Trans
          i18nKey="dashboard.tiles.runningValue"
          values={{ running: fmtNumber(totals.running), total: fmtNumber(totals.total) }}
          components={{ n: <strong data-value={totals.running} />, m: <span className="muted" /> }}
        />
      </Tile>
      <Tile label={t('dashboard.tiles.connections')} testId="tile-connections">
        <strong data-value={totals.activeConnections}>{fmtNumber(totals.activeConnections)}</strong>
      </Tile>
      <Tile label={t('dashboard.tiles.rate')} testId="tile-rate">
        <span className="rate-in" data-value={Math.round(totals.rateIn)} title={t('dashboard.tiles.inTitle')}>
          ↓ {fmtRate(totals.rateIn)}
        </span>
        <span className="rate-out" data-value={Math.round(totals.rateOut)} title={t('dashboard.tiles.outTitle')}>
          ↑ {fmtRate(totals.rateOut)}
        </span>
      </Tile>
      <Tile label={t('dashboard.tiles.today')} testId="tile-today">
        <span className="rate-in" data-value={today.bytesIn} title={t('dashboard.tiles.inTodayTitle')}>
          ↓ {fmtBytes(today.bytesIn)}
        </span>
        <span className="rate-out" data-value={today.bytesOut} title={t('dashboard.tiles.outTodayTitle')}>
          ↑ {fmtBytes(today.bytesOut)}
        </span>
      </Tile>
    </div>
  );
}

/** Polls the traffic history while the dashboard is on screen and the page visible. */
function useSummaryWhileVisible(): void {
  useEffect(() => {
    let release: (() => void) | null = null;
    const sync = () => {
      if (isPageHidden()) {
        release?.();
        release = null;
      } else release ??= watchTrafficSummary();
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      release?.();
    };
  }, []);
}

export function DashboardView() {
  const { t } = useTranslation();
  const loaded = useApp((s) => s.loaded);
  useSummaryWhileVisible();
  if (!loaded) return <p className="placeholder">{t('dashboard.loading')}</p>;
  return (
    <div className="dashboard" data-testid="dashboard">
      <Tiles />
      <ThroughputChart />
      <div className="dash-grid">
        <TopRules />
        <RulesInTrouble />
      </div>
      <TrafficHistory />
    </div>
  );
}
