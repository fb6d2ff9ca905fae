import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `ms`: the latest value is shown at the end of each interval.
 * For fast streams (log batches) whose every render costs more than the change is worth.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = Math.max(0, last.current + ms - performance.now());
    const t = setTimeout(() => {
      last.current = performance.now();
      setShown(() => value);
    }, wait);
    return () => clearTimeout(t);
  }, [value, shown, ms]);
  return shown;
}
