// Garbage collections counted from what `node --trace-gc` prints: one line per collection, prefixed
// with the process and the isolate ("[pid:0xaddr]   1234 ms: Scavenge …", "… ms: Mark-Compact …"). V8
// writes them itself, so counting costs the measured process nothing (an in-process counter did:
// v8.GCProfiler keeps every stopped profiler's callbacks until a full collection frees its object, so
// one restarted every 250 ms made each collection run hundreds of stale callbacks, and `porthole
// forward` held 363 MB after five 10 s iperf3 runs).
import { readFileSync } from 'node:fs';

const LINE = /^\[(\d+:0x[0-9a-f]+)\]\s+[\d.]+ ms: (Scavenge|Minor Mark-Compact|Minor Mark-Sweep|Mark-Compact|Mark-Sweep)/gm;

/** Collections logged so far in `file`, per isolate: Map "pid:0xaddr" → { major, minor }. */
export function traceGcCounts(file) {
  const counts = new Map();
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return counts;
  }
  for (const [, isolate, kind] of text.matchAll(LINE)) {
    const c = counts.get(isolate) ?? { major: 0, minor: 0 };
    if (kind === 'Mark-Compact' || kind === 'Mark-Sweep') c.major++;
    else c.minor++;
    counts.set(isolate, c);
  }
  return counts;
}

/** Full collections (mark-compact) logged so far in `file`, every isolate of the process. */
export function fullGcCount(file) {
  let n = 0;
  for (const c of traceGcCounts(file).values()) n += c.major;
  return n;
}

/**
 * What the busiest isolate collected between two readings of traceGcCounts: the one with the most minor
 * collections in between is the one that moved the bytes (a data plane under iperf3 makes ~20 a
 * second; the control thread of `porthole forward` or `run` next to none). { major, minor, isolate };
 * isolate is undefined when no isolate logged a collection in between.
 */
export function busiestIsolateDelta(before, after) {
  let best = { major: 0, minor: 0, isolate: undefined };
  for (const [isolate, c] of after) {
    const was = before.get(isolate) ?? { major: 0, minor: 0 };
    const d = { major: c.major - was.major, minor: c.minor - was.minor, isolate };
    if (d.minor > best.minor || (d.minor === best.minor && d.major > best.major)) best = d;
  }
  return best;
}
