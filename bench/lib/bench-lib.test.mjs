// The bench's own pure pieces (no process of its own is started here): the options of the by-hand tools,
// where a run's results go, and the full-GC counting behind the "0 full GCs in 10 s" target. (measure.mjs
// and report.mjs are not imported: procs.mjs, which they load, installs process-wide exit handlers.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { flagNumber, flagValue } from './config.mjs';
import { busiestIsolateDelta, fullGcCount, traceGcCounts } from './trace-gc.mjs';

const CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'config.mjs');
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('bench options', () => {
  it('flagValue reads the word after --name, flagNumber turns it into a number or gives the default', () => {
    const args = ['on=.', 'off=/tmp/x', '--pool-off', 'off', '--rounds', '7', '--rtt'];
    expect(flagValue(args, 'pool-off')).toBe('off');
    expect(flagValue(args, 'refs')).toBeUndefined();
    expect(flagNumber(args, 'rounds', 5)).toBe(7);
    expect(flagNumber(args, 'seconds', 3)).toBe(3);
  });

  it('a full run writes latest.*, --quick and BENCH_ONLY runs partial.*, BENCH_OUT names the files and must be a plain name', () => {
    // (With -e, process.argv has no script path: 'bench.mjs' stands in for it, as config.mjs reads argv from [2].)
    const outName = (env, args = []) => {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
      return execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(CONFIG)}); console.log(m.OUT_NAME)`, '--', 'bench.mjs', ...args], { env: { ...clean, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    };
    expect(outName({})).toBe('latest');
    expect(outName({ BENCH_ONLY: 'tput,gc' })).toBe('partial');
    expect(outName({}, ['--quick'])).toBe('partial');
    expect(outName({}, ['relay'])).toBe('partial');
    expect(outName({ BENCH_OUT: 'run12', BENCH_ONLY: 'relay' })).toBe('run12');
    expect(() => outName({ BENCH_OUT: '../elsewhere' })).toThrow(/BENCH_OUT=\.\.\/elsewhere/);
  });
});

describe('full-GC counting (node --trace-gc output)', () => {
  const file = (text) => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'bench-gc-'));
    dirs.push(d);
    const f = path.join(d, 'trace.log');
    writeFileSync(f, text);
    return f;
  };
  const MAIN = '[100:0x2a1ec1e0]';
  const PLANE = '[100:0x7fa0a4000f00]';
  const lines = (...ls) => `${ls.join('\n')}\n`;

  it('counts collections per isolate: Mark-Compact and Mark-Sweep as full (also "(reduce)"), the rest as minor, nothing else', () => {
    const f = file(
      lines(
        `${MAIN}      349 ms: Mark-Compact 22.2 (33.1) -> 14.9 (33.8) MB, 13.83 / 0.05 ms  finalize incremental marking via task; GC in old space requested`,
        `${PLANE}     1271 ms: Scavenge 8.2 (12.5) -> 6.0 (12.5) MB, 0.90 / 0.00 ms  allocation failure;`,
        `${PLANE}     1272 ms: Minor Mark-Sweep 8.2 (12.5) -> 6.0 (12.5) MB, 0.90 / 0.00 ms  allocation failure;`,
        `${PLANE}     3642 ms: Mark-Compact 6.7 (12.5) -> 6.1 (12.5) MB, 4.62 / 0.00 ms  allocation failure; GC in old space requested`,
        `${PLANE}     5000 ms: Mark-Sweep 6.7 (12.5) -> 6.1 (12.5) MB, 4.62 / 0.00 ms  allocation failure; GC in old space requested`,
        `${MAIN}    16262 ms: Mark-Compact (reduce) 15.6 (33.8) -> 14.9 (16.5) MB, 16.88 / 0.01 ms  memory reducer`,
        `${PLANE} Memory reducer: started GC #2`,
        `listening on 127.0.0.1:15202 Mark-Compact`,
      ),
    );
    const counts = traceGcCounts(f);
    expect(Object.fromEntries(counts)).toEqual({ '100:0x2a1ec1e0': { major: 2, minor: 0 }, '100:0x7fa0a4000f00': { major: 2, minor: 2 } });
    expect(fullGcCount(f)).toBe(4);
    expect(traceGcCounts(path.join(path.dirname(f), 'missing.log')).size).toBe(0);
  });

  it('charges a run to the isolate that moved the bytes (the most minor collections in between), not the main thread', () => {
    const scavenge = (who, t) => `${who} ${t} ms: Scavenge 8.2 (12.5) -> 6.0 (12.5) MB, 0.90 / 0.00 ms  allocation failure;`;
    const before = traceGcCounts(file(lines(scavenge(PLANE, 1), `${MAIN} 2 ms: Mark-Compact 1 (2) -> 1 (2) MB, 1 / 0 ms`)));
    // In between: the main thread's memory reducer collects twice; the data plane scavenges 3 times and collects once.
    const after = traceGcCounts(
      file(
        lines(
          scavenge(PLANE, 1),
          `${MAIN} 2 ms: Mark-Compact 1 (2) -> 1 (2) MB, 1 / 0 ms`,
          `${MAIN} 9 ms: Mark-Compact (reduce) 1 (2) -> 1 (2) MB, 1 / 0 ms`,
          `${MAIN} 10 ms: Mark-Compact (reduce) 1 (2) -> 1 (2) MB, 1 / 0 ms`,
          scavenge(PLANE, 11),
          scavenge(PLANE, 12),
          `${PLANE} 13 ms: Mark-Compact 6.7 (12.5) -> 6.1 (12.5) MB, 4.62 / 0.00 ms`,
          scavenge(PLANE, 14),
        ),
      ),
    );
    expect(busiestIsolateDelta(before, after)).toEqual({ major: 1, minor: 3, isolate: '100:0x7fa0a4000f00' });
    expect(busiestIsolateDelta(after, after)).toEqual({ major: 0, minor: 0, isolate: undefined });
  });
});
