import { useEffect, useMemo, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatRate } from '../../src-shared/format/units';
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
  const t = useApp(useShallow((s) => liveTotals(s)));
  const summary = useTraffic((s) => s.summary);
  const today = useMemo(() => sumTotals(Object.values(summary).map((r) => r.today)), [summary]);
  return (
    <div className="dash-tiles">
      <Tile label="Mappings running" testId="tile-running">
        <strong data-value={t.running}>{t.running}</strong>
        <span className="muted"> of {t.total}</span>
      </Tile>
      <Tile label="Active connections" testId="tile-connections">
        <strong data-value={t.activeConnections}>{t.activeConnections}</strong>
      </Tile>
      <Tile label="Throughput now" testId="tile-rate">
        <span className="rate-in" data-value={Math.round(t.rateIn)} title="In: clients → targets">
          ↓ {formatRate(t.rateIn)}
        </span>
        <span className="rate-out" data-value={Math.round(t.rateOut)} title="Out: targets → clients">
          ↑ {formatRate(t.rateOut)}
        </span>
      </Tile>
      <Tile label="Today" testId="tile-today">
        <span className="rate-in" data-value={today.bytesIn} title="In today: clients → targets">
          ↓ {formatBytes(today.bytesIn)}
        </span>
        <span className="rate-out" data-value={today.bytesOut} title="Out today: targets → clients">
          ↑ {formatBytes(today.bytesOut)}
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
  const loaded = useApp((s) => s.loaded);
  useSummaryWhileVisible();
  if (!loaded) return <p className="placeholder">Loading…</p>;
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
