import { useMemo } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTranslation } from 'react-i18next';
import { fmtRate } from '../i18n/format';
import { useColorScheme } from '../lib/use-color-scheme';
import { SERIES_POINTS, type RateSeries } from '../store/series';
import { usePlot } from './use-plot';

const WIDTH = 128;
const HEIGHT = 32;
const X: number[] = Array.from({ length: SERIES_POINTS }, (_, i) => i);

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function seriesOptions(): uPlot.Series[] {
  return [
    {},
    { stroke: cssVar('--spark-in', '#2563eb'), fill: cssVar('--spark-in-fill', 'rgba(37,99,235,0.15)'), width: 1.5, points: { show: false } },
    { stroke: cssVar('--spark-out', '#16a34a'), width: 1.5, points: { show: false } },
  ];
}

const common = {
  pxAlign: false,
  cursor: { show: false },
  legend: { show: false },
  select: { show: false, left: 0, top: 0, width: 0, height: 0 },
} satisfies Partial<uPlot.Options>;

// A floor of 1 B/s keeps an idle line flat at the bottom instead of centred.
const yRange: uPlot.Range.Function = (_u, _min, max) => [0, Math.max(max, 1) * 1.1];

const sparkOptions = new Map<string, uPlot.Options>();

/** One options object per colour scheme, shared by every sparkline (uPlot re-creates a chart whose options change). */
function sparklineOptions(scheme: string): uPlot.Options {
  let o = sparkOptions.get(scheme);
  if (!o) {
    o = {
      ...common,
      width: WIDTH,
      height: HEIGHT,
      padding: [2, 0, 0, 0],
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: false }, y: { range: yRange } },
      series: seriesOptions(),
    };
    sparkOptions.set(scheme, o);
  }
  return o;
}

function toData(s: RateSeries): uPlot.AlignedData {
  return [X, s.rateIn as number[], s.rateOut as number[]];
}

interface SparklineProps {
  series: RateSeries;
  label: string;
}

/** A row's two-minute throughput. An idle window is a flat line in CSS: no canvas until there is traffic. */
export function Sparkline({ series, label }: SparklineProps) {
  const { t } = useTranslation();
  if (series.nonZero === 0) return <div className="sparkline sparkline-idle" role="img" aria-label={t('mappings.sparkline.idle', { label })} data-testid="sparkline" data-points={0} />;
  return <SparklineChart series={series} label={label} />;
}

function SparklineChart({ series, label }: SparklineProps) {
  const scheme = useColorScheme();
  const options = sparklineOptions(scheme);
  const data = useMemo(() => toData(series), [series]);
  const host = usePlot(options, data);
  return <div ref={host} className="sparkline" role="img" aria-label={label} data-testid="sparkline" data-points={series.nonZero} />;
}

const chartOptions = new Map<string, uPlot.Options>();

function rateChartOptions(scheme: string, width: number, height: number): uPlot.Options {
  const key = `${scheme}:${width}x${height}`;
  let o = chartOptions.get(key);
  if (!o) {
    const muted = cssVar('--muted', '#667085');
    const grid = cssVar('--border', '#e2e5ea');
    o = {
      ...common,
      width,
      height,
      padding: [8, 4, 8, 0],
      axes: [
        { show: false },
        {
          stroke: muted,
          font: '11px system-ui, sans-serif',
          size: 64,
          gap: 4,
          ticks: { show: false },
          grid: { stroke: grid, width: 1 },
          // Two lines: zero and the window's peak (the range adds 10% above it); an idle window shows only zero.
          splits: (_u, _axis, _min, max) => (max / 1.1 > 1 ? [0, max / 1.1] : [0]),
          values: (_u, vals) => vals.map((v) => (v === 0 ? '0' : fmtRate(v))),
        },
      ],
      scales: { x: { time: false }, y: { range: yRange } },
      series: seriesOptions(),
    };
    chartOptions.set(key, o);
  }
  return o;
}

/** The detail pane's bigger chart of the same two minutes, with a rate axis. */
export function RateChart({ series, label, width, height }: SparklineProps & { width: number; height: number }) {
  const scheme = useColorScheme();
  const options = rateChartOptions(scheme, width, height);
  const data = useMemo(() => toData(series), [series]);
  const host = usePlot(options, data);
  return <div ref={host} className="rate-chart" role="img" aria-label={label} data-testid="rate-chart" data-points={series.nonZero} />;
}
