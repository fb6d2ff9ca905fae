import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK, waitFor } from '../../test-support/net-fixtures';
import { KIB, MIB, RING_PER_MAPPING, STORE_MAX_BYTES } from '../../src-shared/model/inspector';
import { TcpForwarder } from '../engine/tcp-forward';
import { type InspectedRule, InspectorService } from '../service/inspector-service';
import { BodyArena, KeptBody } from './body-collector';
import { ExchangeStore } from './exchange-store';
import type { CapturedExchange } from './http-capture';

function kept(n: number): KeptBody {
  const k = new KeptBody(new BodyArena(Math.max(n, 1)));
  (k as { length: number }).length = n;
  return k;
}

function exchange(bodyBytes: number, target = '/'): CapturedExchange {
  return {
    connId: 1,
    client: 'c',
    startedAt: 0,
    method: 'GET',
    target,
    httpVersion: 'HTTP/1.1',
    requestHead: '',
    requestHeadBytes: 20,
    requestBody: new KeptBody(undefined),
    requestBytes: 0,
    requestTruncated: false,
    response: { version: 'HTTP/1.1', status: 200, reason: 'OK', head: '', headBytes: 20, body: kept(bodyBytes), bytes: bodyBytes, truncated: false },
    interim: [],
    end: 'complete',
    durationMs: 1,
  };
}

describe('ExchangeStore', () => {
  it('keeps the last N per mapping and drops the oldest of all past the byte cap', () => {
    const store = new ExchangeStore({ perMapping: 3, maxBytes: 10 * KIB });
    for (let i = 0; i < 5; i++) store.add('a', exchange(10, `/a${i}`));
    expect(store.list({ ruleId: 'a', limit: 10 }).map((e) => e.x.target)).toEqual(['/a2', '/a3', '/a4']);
    store.add('b', exchange(4 * KIB, '/b0'));
    store.add('b', exchange(4 * KIB, '/b1'));
    store.add('b', exchange(4 * KIB, '/b2'));
    expect(store.totalBytes).toBeLessThanOrEqual(10 * KIB);
    // The small, older exchanges of "a" went before the newer big ones of "b".
    expect(store.list({ limit: 10 }).map((e) => e.x.target)).toEqual(['/b1', '/b2']);
    expect(store.dropped).toBe(2 + 3 + 1);
  });

  it('lists across mappings in id order, after an id, and forgets deleted mappings', () => {
    const store = new ExchangeStore();
    store.add('a', exchange(1, '/1'));
    store.add('b', exchange(1, '/2'));
    store.add('a', exchange(1, '/3'));
    expect(store.list({ limit: 10 }).map((e) => e.x.target)).toEqual(['/1', '/2', '/3']);
    expect(store.list({ afterId: 1, limit: 1 }).map((e) => e.x.target)).toEqual(['/3']);
    store.retain(new Set(['b']));
    expect(store.list({ limit: 10 }).map((e) => e.x.target)).toEqual(['/2']);
    store.clear();
    expect([store.size, store.totalBytes]).toEqual([0, 0]);
  });
});

describe('the inspector under 10,000 real requests', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('stays within 1,000 per mapping and 64 MiB in all, keeping the newest', async () => {
    const body = Buffer.alloc(40 * KIB, 'x');
    const server = http.createServer((_req, res) => res.end(body));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
    const port = (server.address() as AddressInfo).port;
    const inspector = new InspectorService();
    const ports: number[] = [];
    for (const id of ['m1', 'm2']) {
      const rule: InspectedRule = { id, name: id, inspect: { enabled: true, maxBodyBytes: MIB }, target: { host: LOOPBACK, port } };
      const fwd = new TcpForwarder({ listen: { host: LOOPBACK, port: 0 }, target: rule.target, tap: inspector.tapFor(rule, () => undefined) });
      ports.push((await fwd.start()).port);
      stops.push(() => fwd.stop());
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    stops.push(async () => {
      agent.destroy();
      inspector.dispose();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const get = (p: number, i: number) =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: LOOPBACK, port: p, path: `/r${i}`, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          })
          .on('error', reject);
      });
    let maxSeen = { total: 0, bytes: 0, perMapping: 0 };
    const TOTAL = 10_000;
    const BATCH = 250;
    for (let start = 0; start < TOTAL; start += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, (_, k) => get(ports[(start + k) % 2]!, start + k)));
      const s = inspector.store;
      maxSeen = {
        total: Math.max(maxSeen.total, s.size),
        bytes: Math.max(maxSeen.bytes, s.totalBytes),
        perMapping: Math.max(maxSeen.perMapping, s.countFor('m1'), s.countFor('m2')),
      };
    }
    // Every response was recorded (kept or pushed out): nothing was missed or left half-done.
    await waitFor(() => inspector.store.size + inspector.store.dropped === TOTAL, 'all 10,000 exchanges to be recorded', 10_000);
    const s = inspector.store;
    expect(maxSeen.perMapping).toBeLessThanOrEqual(RING_PER_MAPPING);
    expect(maxSeen.bytes).toBeLessThanOrEqual(STORE_MAX_BYTES);
    // 2 × 1,000 × 40 KiB would be 80 MiB: the byte cap is what bites here.
    expect(s.size).toBeLessThan(2 * RING_PER_MAPPING);
    expect(s.size).toBeGreaterThan(1500);
    const kept = s.list({ limit: 10_000 });
    expect(kept.at(-1)!.x.target).toMatch(/^\/r99\d\d$/);
    // Newest kept: the ids are contiguous at the top end (drops took the oldest).
    const ids = kept.map((e) => e.id);
    expect(ids.at(-1)! - ids[0]! + 1).toBe(ids.length);
  }, 120_000);
});
