import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, openTcpHandles, waitFor } from './net-fixtures';

// freePort() hands each port out once per process. Two calls in a row could otherwise get the same
// port back from the kernel once the first probe closed: an e2e import test's two mappings once shared
// a port that way in CI, and the second was skipped as a clash.

describe('NetFixtures.freePort', () => {
  const fixtures: NetFixtures[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
  });

  it('never hands out the same port twice, across fixtures, and leaves nothing listening', async () => {
    const before = openTcpHandles();
    const a = new NetFixtures();
    const b = new NetFixtures();
    fixtures.push(a, b);
    const ports: number[] = [];
    // ~400 draws from the kernel's ~14k even ephemeral ports: without the rule a repeat is near certain.
    for (let i = 0; i < 200; i++) ports.push(await a.freePort(), await b.freePort());
    expect(new Set(ports).size).toBe(ports.length);
    await waitFor(() => openTcpHandles() <= before, 'every probe listener to be released');
    expect(await a.connectOutcome(ports[ports.length - 1]!)).toBe('ECONNREFUSED');
  });
});
