import type { TFunction } from 'i18next';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNumber, fmtRate, fmtTime } from '../i18n/format';
import { isPageHidden } from '../lib/page-visibility';
import { useColorScheme } from '../lib/use-color-scheme';
import { recentRates, subscribeRecent, useTraffic } from '../store/traffic';

// The dashboard's total throughput: one uPlot for the life of the view (re-created only when the colour
// scheme changes), fed by setData from the recent-rates buffer on each tick. Nothing is drawn while the
// page is hidden; the first visibilitychange back draws the window as it is then.

export const RANGES = [
  { ms: 60_000, minutes: 1 },
  { ms: 5 * 60_000, minutes: 5 },
  { ms: 15 * 60_000, minutes: 15 },
] as const;

const HEIGHT = 220;
const KiB = 1024;

// Binary steps so the axis reads "512 KiB/s", "1 MiB/s" rather than "977 KiB/s".
const INCRS: number[] = [];
for (let unit = 1; unit <= KiB ** 4; unit *= KiB) for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500]) INCRS.push(m * unit);

/** "1 MiB/s", "1.5 MiB/s": the axis labels without trailing zeros. */
export function axisRate(v: number): string {
  if (v === 0) return '0';
  return fmtRate(v).replace(/\.0+ /, ' ').replace(/(\.\d*?)0+ /, '$1 ');
}

const HHMM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const HHMMSS: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit' };

/** An x-axis label in the UI language: HH:MM:SS for the short ranges, HH:MM when ticks fall on whole minutes. */
export function clockLabel(epochSec: number, rangeSec: number): string {
  const ms = epochSec * 1000;
  return fmtTime(ms, rangeSec > 300 || new Date(ms).getSeconds() === 0 ? HHMM : HHMMSS);
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

interface View {
  rangeSec: number;
  /** Epoch seconds of the right edge. */
  end: number;
}

function chartOptions(width: number, view: View, t: TFunction, onCursor: (u: uPlot) => void): uPlot.Options {
  const muted = cssVar('--muted', '#667085');
  const grid = cssVar('--border', '#e2e5ea');
  const font = '11px system-ui, sans-serif';
  return {
    width,
    height: HEIGHT,
    pxAlign: false,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    // Right: half of the widest clock label ("23:59:59" at 11px ≈ 50 px), so the last tick's label,
    // centred on the right edge, is not cut off (issue 18).
    padding: [10, 28, 0, 0],
    scales: {
      x: { time: true, range: () => [view.end - view.rangeSec, view.end] },
      // A floor of 1 KiB/s keeps an idle chart flat on the axis with readable ticks.
      y: { range: (_u, _min, max) => [0, Math.max(max, KiB) * 1.15] },
    },
    axes: [
      // One line per tick (uPlot's default adds a date line under the first), seconds only when they matter.
      { stroke: muted, font, grid: { show: false }, ticks: { stroke: grid, size: 4 }, size: 26, space: 72, values: (_u, splits) => splits.map((t) => clockLabel(t, view.rangeSec)) },
      { stroke: muted, font, size: 76, gap: 6, incrs: INCRS, ticks: { show: false }, grid: { stroke: grid, width: 1 }, values: (_u, vals) => vals.map(axisRate) },
    ],
    series: [
      {},
      { label: t('dashboard.chart.in'), stroke: cssVar('--spark-in', '#2563eb'), fill: cssVar('--spark-in-fill', 'rgba(37,99,235,0.14)'), width: 1.75, points: { show: false } },
      { label: t('dashboard.chart.out'), stroke: cssVar('--spark-out', '#16a34a'), width: 1.75, points: { show: false } },
    ],
    hooks: { setCursor: [onCursor] },
  };
}

/** "2 s", "500 ms". */
function intervalText(t: TFunction, ms: number): string {
  return ms >= 1000 ? t('dashboard.chart.seconds', { value: fmtNumber(ms / 1000) }) : t('dashboard.chart.milliseconds', { value: fmtNumber(ms) });
}

function maxOf(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Total in/out throughput of every mapping with a 1 / 5 / 15 minute range. */
export function ThroughputChart() {
  const { t } = useTranslation();
  const scheme = useColorScheme();
  const [rangeMs, setRangeMs] = useState<number>(RANGES[1].ms);
  const intervalMs = useTraffic((s) => s.intervalMs);
  const observedMs = useTraffic((s) => s.observedMs);
  const host = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const range = useRef(rangeMs);
  const redraw = useRef<() => void>(() => undefined);

  // Made again when the colour scheme or the language (t) changes: series names and the readout follow.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const view: View = { rangeSec: range.current / 1000, end: Date.now() / 1000 };

    function showReadout(idx: number | null | undefined, u: uPlot): void {
      const out = readout.current;
      if (!out) return;
      const hovering = idx !== null && idx !== undefined && u.data[0][idx] !== undefined;
      const last = recentRates.last();
      const at = hovering ? (u.data[0][idx] as number) * 1000 : last?.ts;
      const rin = hovering ? (u.data[1]?.[idx] ?? 0) : (last?.rateIn ?? 0);
      const rout = hovering ? (u.data[2]?.[idx] ?? 0) : (last?.rateOut ?? 0);
      out.querySelector('[data-k="in"]')!.textContent = fmtRate(rin);
      out.querySelector('[data-k="out"]')!.textContent = fmtRate(rout);
      out.querySelector('[data-k="at"]')!.textContent = at === undefined ? '' : hovering ? fmtTime(at) : t('dashboard.chart.now');
    }

    const u = new uPlot(
      chartOptions(Math.max(200, el.clientWidth), view, t, (p) => showReadout(p.cursor.idx, p)),
      [[], [], []],
      el,
    );
    let stale = false;

    function draw(): void {
      if (isPageHidden()) {
        stale = true;
        return;
      }
      stale = false;
      const end = recentRates.lastTs() ?? Date.now();
      view.rangeSec = range.current / 1000;
      view.end = end / 1000;
      const w = recentRates.window(range.current, end);
      u.setData([w.x, w.rateIn, w.rateOut]);
      if (u.cursor.idx === null || u.cursor.idx === undefined) showReadout(null, u);
      el!.dataset.points = String(w.x.length);
      el!.dataset.maxIn = String(Math.round(maxOf(w.rateIn)));
      el!.dataset.maxOut = String(Math.round(maxOf(w.rateOut)));
    }
    redraw.current = draw;
    draw();

    const offRecent = subscribeRecent(draw);
    const onVisibility = () => {
      if (stale && !isPageHidden()) draw();
    };
    document.addEventListener('visibilitychange', onVisibility);
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      offRecent();
      document.removeEventListener('visibilitychange', onVisibility);
      resize.disconnect();
      redraw.current = () => undefined;
      u.destroy();
    };
  }, [scheme, t]);

  useEffect(() => {
    range.current = rangeMs;
    redraw.current();
  }, [rangeMs]);

  return (
    <section className="dash-card dash-chart-card" aria-labelledby="dash-throughput-title">
      <div className="dash-card-head">
        <h2 id="dash-throughput-title">{t('dashboard.chart.title')}</h2>
        {/* Filled imperatively on each tick and on hover: no React render per tick. */}
        <p className="dash-readout" ref={readout} aria-live="off" data-testid="throughput-readout">
          <span className="dash-key dash-key-in" aria-hidden="true" />
          {t('dashboard.chart.in')} <strong data-k="in" />
          <span className="dash-key dash-key-out" aria-hidden="true" />
          {t('dashboard.chart.out')} <strong data-k="out" />
          <span className="muted" data-k="at" />
        </p>
        <div className="segmented dash-range" role="group" aria-label={t('dashboard.chart.rangeGroup')}>
          {RANGES.map((r) => (
            <button key={r.ms} type="button" aria-pressed={rangeMs === r.ms} className={rangeMs === r.ms ? 'segment is-on' : 'segment'} onClick={() => setRangeMs(r.ms)}>
              {t('dashboard.chart.range', { minutes: r.minutes })}
            </button>
          ))}
        </div>
      </div>
      <div
        ref={host}
        className="dash-chart"
        role="img"
        aria-label={t('dashboard.chart.aria', { range: t('dashboard.chart.range', { minutes: rangeMs / 60_000 }) })}
        data-testid="throughput-chart"
      />
      <p className="dash-foot muted" data-testid="tick-interval" data-interval-ms={intervalMs ?? ''} data-observed-ms={observedMs ?? ''}>
        {intervalMs ? t('dashboard.chart.footUpdated', { interval: intervalText(t, intervalMs) }) : t('dashboard.chart.foot')}
      </p>
    </section>
  );
}
