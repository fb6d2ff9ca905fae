import { useEffect, useRef, type RefObject } from 'react';
import uPlot from 'uplot';
import { isPageHidden } from '../lib/page-visibility';

/**
 * Owns one uPlot in the returned element: created when `options` change (once per colour scheme), fed
 * with setData afterwards. While the page is hidden nothing is drawn; the latest data is drawn once it
 * is visible again (the anti-pattern to avoid: charts redrawing in a window hidden to the tray).
 */
export function usePlot(options: uPlot.Options, data: uPlot.AlignedData): RefObject<HTMLDivElement | null> {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  const stale = useRef(false);
  const drawn = useRef<uPlot.AlignedData | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const u = new uPlot(options, latest.current, el);
    plot.current = u;
    drawn.current = latest.current;
    stale.current = false;
    const onVisibility = () => {
      if (isPageHidden() || !stale.current) return;
      stale.current = false;
      drawn.current = latest.current;
      u.setData(latest.current);
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      u.destroy();
      plot.current = null;
    };
  }, [options]);

  useEffect(() => {
    latest.current = data;
    const u = plot.current;
    if (!u || drawn.current === data) return;
    if (isPageHidden()) {
      stale.current = true;
      return;
    }
    drawn.current = data;
    u.setData(data);
  }, [data]);

  return host;
}
