import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES_POINTS, type RateSeries } from '../store/series';

const WIDTH = 128;
const HEIGHT = 32;
const X: number[] = Array.from({ length: SERIES_POINTS }, (_, i) => i);

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

let sharedOptions: uPlot.Options | null = null;

/** One options object for every sparkline: built once (colours from the theme's CSS variables). */
function sparklineOptions(): uPlot.Options {
  sharedOptions ??= {
    width: WIDTH,
    height: HEIGHT,
    pxAlign: false,
    cursor: { show: false },
    legend: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [2, 0, 0, 0],
    axes: [{ show: false }, { show: false }],
    scales: {
      x: { time: false },
      // A floor of 1 B/s keeps an idle line flat at the bottom instead of centred.
      y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] },
    },
    series: [
      {},
      { stroke: cssVar('--spark-in', '#2563eb'), fill: cssVar('--spark-in-fill', 'rgba(37,99,235,0.15)'), width: 1.5, points: { show: false } },
      { stroke: cssVar('--spark-out', '#16a34a'), width: 1.5, points: { show: false } },
    ],
  };
  return sharedOptions;
}

function toData(s: RateSeries): uPlot.AlignedData {
  return [X, s.rateIn as number[], s.rateOut as number[]];
}

interface SparklineProps {
  series: RateSeries;
  label: string;
}

/** Creates its uPlot once and feeds it with setData; skips drawing while the page is hidden. */
export function Sparkline({ series, label }: SparklineProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(series);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const u = new uPlot(sparklineOptions(), toData(latest.current), el);
    plot.current = u;
    const onVisible = () => {
      if (!document.hidden) u.setData(toData(latest.current));
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    latest.current = series;
    if (plot.current && !document.hidden) plot.current.setData(toData(series));
  }, [series]);

  return <div ref={host} className="sparkline" role="img" aria-label={label} data-testid="sparkline" data-points={series.nonZero} />;
}
