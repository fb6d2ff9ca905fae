import type { LogLine } from '../../src-shared/model/log-text';
import { describe, expect, it } from 'vitest';
import { BurstLog } from './burst-log';
import { FailureLimiter, sourceKey } from './failure-limiter';
import { DEFAULT_RELAY_LIMITS } from './relay-limits';

/** A limiter with the relay's defaults on a clock the test moves. */
function limiter(over: Partial<typeof DEFAULT_RELAY_LIMITS> = {}) {
  const clock = { t: 1_000_000 };
  return { clock, l: new FailureLimiter({ ...DEFAULT_RELAY_LIMITS, ...over }, () => clock.t) };
}

/** A guesser that tries again the moment the relay lets it: how many guesses get read in `spanMs`. */
function perfectGuesser(spanMs: number): number {
  const { clock, l } = limiter();
  const end = clock.t + spanMs;
  let guesses = 0;
  for (;;) {
    clock.t += l.blockedFor('203.0.113.9');
    clock.t += l.delayFor('203.0.113.9');
    if (clock.t > end) return guesses;
    guesses++;
    l.fail('203.0.113.9');
  }
}

describe('failure limiter (token guessing)', () => {
  it('makes each next handshake from a failing source wait longer (250 ms doubling, at most 4 s), and the 10th failure refuses it for 5 min', () => {
    const { clock, l } = limiter();
    const src = '198.51.100.7';
    expect(l.delayFor(src)).toBe(0);
    const delays: number[] = [];
    for (let i = 1; i < 10; i++) {
      expect(l.fail(src)).toBeUndefined();
      delays.push(l.delayFor(src));
      clock.t += 1000;
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000]);
    expect(l.blockedFor(src)).toBe(0);
    expect(l.fail(src)).toEqual({ source: src, failures: 10, overMs: 9000, blockMs: 300_000 });
    expect(l.blockedFor(src)).toBe(300_000);
    // Another source is not affected.
    expect(l.blockedFor('198.51.100.8')).toBe(0);
    expect(l.delayFor('198.51.100.8')).toBe(0);
    clock.t += 300_000;
    expect(l.blockedFor(src)).toBe(0);
    expect(l.delayFor(src)).toBe(0);
  });

  it('refuses a source that comes back for more for twice as long each time, up to an hour', () => {
    const { clock, l } = limiter();
    const blocks: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 1; i < 10; i++) l.fail('192.0.2.1');
      blocks.push(l.fail('192.0.2.1')!.blockMs);
      clock.t += l.blockedFor('192.0.2.1');
    }
    expect(blocks).toEqual([300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 3_600_000]);
  });

  it('forgets failures older than the window, and a success forgets them at once', () => {
    const { clock, l } = limiter();
    for (let i = 0; i < 9; i++) l.fail('192.0.2.2');
    clock.t += 10 * 60_000 + 1;
    expect(l.delayFor('192.0.2.2')).toBe(0);
    expect(l.fail('192.0.2.2')).toBeUndefined();
    for (let i = 0; i < 5; i++) l.fail('192.0.2.3');
    l.succeeded('192.0.2.3');
    expect(l.delayFor('192.0.2.3')).toBe(0);
    expect(l.size).toBe(1);
  });

  it('lets a guesser that retries as soon as allowed read fewer than 300 guesses a day (against ~210 a second unlimited)', () => {
    const hour = perfectGuesser(3600_000);
    const day = perfectGuesser(24 * 3600_000);
    // 10 in the first ~24 s, 10 after 5 min, after 10, 20, 40 min, then 10 an hour.
    expect(hour).toBe(40);
    expect(day).toBeLessThan(300);
  });

  it('keeps at most maxTrackedAddresses sources, forgetting ones that are not refused before ones that are', () => {
    const { clock, l } = limiter({ maxTrackedAddresses: 100 });
    for (let i = 0; i < 10; i++) l.fail('10.9.9.9');
    expect(l.blockedFor('10.9.9.9')).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i++) {
      l.fail(`10.0.${i >> 8}.${i & 255}`);
      clock.t += 1;
    }
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.blockedFor('10.9.9.9')).toBeGreaterThan(0);
  });

  it('keys IPv4-mapped addresses as IPv4 and IPv6 addresses by their /64', () => {
    expect(sourceKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(sourceKey('203.0.113.5')).toBe('203.0.113.5');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey(undefined)).toBe('?');
  });
});

describe('burst log', () => {
  it('writes the first line of a kind, counts the rest of the burst into the next one, and caps lines across kinds', () => {
    const clock = { t: 0 };
    const lines: string[] = [];
    const said: LogLine[] = [];
    const log = new BurstLog(
      (_l, m, line) => {
        lines.push(m);
        said.push(line);
      },
      60_000,
      5,
      () => clock.t,
    );
    // A line whose English is `text` (the code a tunnel's own words use).
    const text = (t: string): [string, LogLine] => [t, { key: 'note', fields: { text: t } }];
    for (let i = 0; i < 1000; i++) log.note('timeout', 'info', ...text(`timeout ${i}`));
    expect(lines).toEqual(['timeout 0']);
    clock.t += 61_000;
    log.note('timeout', 'info', ...text('timeout again'));
    expect(lines[1]).toBe('timeout again (and 999 more like it in the last 1 min)');
    // By code too: the count around the line it follows, for a window to show in its language.
    expect(said[1]).toEqual({ key: 'burstMore', fields: { suppressed: 999, span: '1 min', text: 'timeout again' }, inner: { key: 'note', fields: { text: 'timeout again' } } });
    for (let i = 0; i < 100; i++) log.note(`auth:${i}`, 'warn', ...text(`source ${i}`));
    expect(lines).toHaveLength(2 + 4);
    clock.t += 61_000;
    log.note('x', 'info', ...text('later'));
    expect(lines.slice(-2)).toEqual(['96 more relay log lines like the ones above were not written in the last 1 min', 'later']);
    expect(said.at(-2)).toEqual({ key: 'relayBurstDropped', fields: { lines: 96, span: '1 min' } });
  });
});
