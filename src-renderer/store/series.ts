// Per-rule throughput history for the sparklines: a fixed window of the last SERIES_POINTS ticks.
// Immutable arrays (a copy of 60 numbers per tick is cheap) so a changed series is a new object and an
// unchanged one keeps its identity — which is what lets rows skip re-rendering.

export const SERIES_POINTS = 60;

export interface RateSeries {
  /** Oldest first, always SERIES_POINTS long (zero-filled before the first ticks). */
  rateIn: readonly number[];
  rateOut: readonly number[];
  /** Ticks in the window where either direction moved bytes. */
  nonZero: number;
}

const ZEROS: readonly number[] = Object.freeze(new Array<number>(SERIES_POINTS).fill(0));

export function emptySeries(): RateSeries {
  return { rateIn: ZEROS, rateOut: ZEROS, nonZero: 0 };
}

function slide(values: readonly number[], next: number): number[] {
  const out = values.slice(values.length - SERIES_POINTS + 1);
  out.push(next);
  return out;
}

/** Appends one tick; returns the same object when the window is idle and the tick is idle too. */
export function pushRates(s: RateSeries, rateIn: number, rateOut: number): RateSeries {
  const rin = Number.isFinite(rateIn) && rateIn > 0 ? rateIn : 0;
  const rout = Number.isFinite(rateOut) && rateOut > 0 ? rateOut : 0;
  if (s.nonZero === 0 && rin === 0 && rout === 0) return s;
  const nextIn = slide(s.rateIn, rin);
  const nextOut = slide(s.rateOut, rout);
  let nonZero = 0;
  for (let i = 0; i < nextIn.length; i++) if ((nextIn[i] ?? 0) > 0 || (nextOut[i] ?? 0) > 0) nonZero++;
  return { rateIn: nextIn, rateOut: nextOut, nonZero };
}
