import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PortholeApi } from '../../src-shared/api/contract';
import type { RuleTraffic } from '../../src-shared/model/settings';
import type { StatsBatch } from '../../src-shared/model/stats';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import { createPoller, type Poller } from '../lib/poller';
import type { AppStore } from './app-store';
import { medianGap, RecentRates } from './recent-rates';

// Traffic for the dashboard: the per-rule history the host keeps (today, this week, all time — polled
// every ~10 s while someone looks at it, or on demand) and the total-rate series of the last 15 minutes
// (RecentRates, fed on every stats tick whatever the view, drawn only by a visible chart).

export const SUMMARY_POLL_MS = 10_000;
const ARRIVALS_KEPT = 6;

export interface TrafficState {
  summary: Record<string, RuleTraffic>;
  summaryLoaded: boolean;
  summaryError: string | null;
  /** Epoch ms of the last summary answer. */
  summaryAt: number | null;
  /** The tick length the host says it uses (StatsBatch.intervalMs). */
  intervalMs: number | null;
  /** The measured gap between the last few stats events, in ms (rounded to 10 ms). */
  observedMs: number | null;
}

export function emptyTraffic(): TrafficState {
  return { summary: {}, summaryLoaded: false, summaryError: null, summaryAt: null, intervalMs: null, observedMs: null };
}

export function totalRates(batch: StatsBatch): { rateIn: number; rateOut: number } {
  let rateIn = 0;
  let rateOut = 0;
  for (const s of Object.values(batch.rules)) {
    if (Number.isFinite(s.rateIn)) rateIn += s.rateIn;
    if (Number.isFinite(s.rateOut)) rateOut += s.rateOut;
  }
  return { rateIn, rateOut };
}

export type TrafficStore = StoreApi<TrafficState>;

export const trafficStore: TrafficStore = createStore<TrafficState>()(() => emptyTraffic());
export const recentRates = new RecentRates();

export function useTraffic<T>(selector: (s: TrafficState) => T): T {
  return useStore(trafficStore, selector);
}

const recentListeners = new Set<() => void>();

/** Called after every change to recentRates (a tick, a re-seed). Cheap: the chart decides whether to draw. */
export function subscribeRecent(listener: () => void): () => void {
  recentListeners.add(listener);
  return () => recentListeners.delete(listener);
}

function notifyRecent(): void {
  for (const l of [...recentListeners]) l();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface TrafficController {
  /** Polls the summary while at least one caller watches; returns the release function. */
  watchSummary(): () => void;
  refreshSummary(): Promise<void>;
  dispose(): void;
}

export function createTrafficController(
  api: PortholeApi,
  appStore: AppStore,
  store: TrafficStore,
  recent: RecentRates,
  now: () => number = () => performance.now(),
): TrafficController {
  let disposed = false;
  let watchers = 0;
  let seedSerial = 0;
  const arrivals: number[] = [];

  function applySummary(rows: RuleTraffic[]): void {
    const summary: Record<string, RuleTraffic> = {};
    for (const r of rows) summary[r.ruleId] = r;
    store.setState({ summary, summaryLoaded: true, summaryError: null, summaryAt: Date.now() });
  }
  function summaryFailed(err: unknown): void {
    store.setState({ summaryError: t('dashboard.history.loadError', { error: translateMessage(errorText(err)) }) });
  }

  const poller: Poller = createPoller({ task: () => api.traffic.summary(), onResult: applySummary, onError: summaryFailed, intervalMs: SUMMARY_POLL_MS });

  async function seed(): Promise<void> {
    const mine = ++seedSerial;
    try {
      const r = await api.traffic.recent();
      if (disposed || mine !== seedSerial) return;
      recent.seed(r);
      notifyRecent();
    } catch {
      // The live ticks still fill the chart; only the history before this window opened is missing.
    }
  }

  async function refreshSummary(): Promise<void> {
    try {
      const rows = await api.traffic.summary();
      if (!disposed) applySummary(rows);
    } catch (err) {
      if (!disposed) summaryFailed(err);
    }
  }

  const offs = [
    api.on.stats((batch) => {
      const { rateIn, rateOut } = totalRates(batch);
      if (recent.push(batch.ts, rateIn, rateOut)) notifyRecent();
      arrivals.push(now());
      if (arrivals.length > ARRIVALS_KEPT) arrivals.shift();
      const gap = medianGap(arrivals);
      const observedMs = gap === null ? null : Math.round(gap / 10) * 10;
      const s = store.getState();
      if (s.intervalMs !== batch.intervalMs || s.observedMs !== observedMs) store.setState({ intervalMs: batch.intervalMs, observedMs });
    }),
    appStore.subscribe((s, prev) => {
      if (s.connection === 'open' && prev.connection !== 'open' && prev.connection !== 'connecting') {
        // Ticks sent while the socket was down are lost, and gaps across the outage are not intervals.
        arrivals.length = 0;
        void seed();
        if (watchers > 0) void refreshSummary();
      }
    }),
  ];
  void seed();

  return {
    watchSummary() {
      watchers++;
      if (watchers === 1) poller.start();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        watchers--;
        if (watchers === 0) poller.stop();
      };
    },
    refreshSummary,
    dispose() {
      disposed = true;
      poller.stop();
      for (const off of offs) off();
    },
  };
}

let controller: TrafficController | null = null;

/** Wires this window's traffic feed once (main.tsx). */
export function initTraffic(api: PortholeApi, appStore: AppStore): () => void {
  controller?.dispose();
  controller = createTrafficController(api, appStore, trafficStore, recentRates);
  return () => {
    controller?.dispose();
    controller = null;
  };
}

export function watchTrafficSummary(): () => void {
  return controller ? controller.watchSummary() : () => undefined;
}

export function refreshTrafficSummary(): Promise<void> {
  return controller ? controller.refreshSummary() : Promise.resolve();
}
