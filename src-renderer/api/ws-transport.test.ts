import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../src-shared/api/client';
import { ApiError } from '../../src-shared/model/errors';
import { createWsTransport, reconnectDelay, type SocketLike } from './ws-transport';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code?: number } | undefined) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code?: number): void {
    this.readyState = 3;
    this.onclose?.(code === undefined ? {} : { code });
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
}

function setup(extra: { token?: string } = {}) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const transport = createWsTransport({
    ...extra,
    url: 'ws://h/api',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
  });
  const current = () => sockets[sockets.length - 1] as FakeSocket;
  return { transport, sockets, timers, current };
}

describe('ws transport', () => {
  it('queues calls until the socket opens, then matches results to calls by id', async () => {
    const { transport, current } = setup();
    const a = transport.invoke('rules.list', undefined);
    const b = transport.invoke('rules.remove', { id: 'x' });
    expect(current().sent).toEqual([]);
    current().open();
    expect(current().sent).toEqual([
      { t: 'call', id: 1, m: 'rules.list' },
      { t: 'call', id: 2, m: 'rules.remove', a: { id: 'x' } },
    ]);
    current().receive({ t: 'result', id: 2, r: { ok: true, value: { removed: true } } });
    current().receive({ t: 'result', id: 1, r: { ok: true, value: [] } });
    await expect(a).resolves.toEqual({ ok: true, value: [] });
    await expect(b).resolves.toEqual({ ok: true, value: { removed: true } });
    expect(transport.connection.get()).toBe('open');
  });

  it('turns a failure envelope into an ApiError with its issues through the client', async () => {
    const { transport, current } = setup();
    current().open();
    const api = createApiClient(transport);
    const p = api.rules.remove('nope');
    current().receive({ t: 'result', id: 1, r: { ok: false, error: { code: 'NOT_FOUND', message: 'no rule nope', issues: [{ path: 'id', message: 'x' }] } } });
    const err: unknown = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('NOT_FOUND');
    expect((err as ApiError).issues).toEqual([{ path: 'id', message: 'x' }]);
  });

  it('delivers events to every listener of that event and ignores junk', () => {
    const { transport, current } = setup();
    current().open();
    const got: unknown[] = [];
    transport.subscribe('stats', (p) => got.push(['s1', p]));
    const off = transport.subscribe('stats', (p) => got.push(['s2', p]));
    transport.subscribe('log', (p) => got.push(['log', p]));
    current().receive('not json');
    current().receive({ t: 'weird' });
    current().receive({ t: 'event', e: 'stats', p: 1 });
    off();
    current().receive({ t: 'event', e: 'stats', p: 2 });
    expect(got).toEqual([['s1', 1], ['s2', 1], ['s1', 2]]);
  });

  it('rejects calls in flight when the socket closes, reconnects with backoff and keeps listeners', async () => {
    const { transport, sockets, timers, current } = setup();
    const states: string[] = [];
    transport.connection.subscribe((s) => states.push(s));
    current().open();
    const seen: unknown[] = [];
    transport.subscribe('rule-state', (p) => seen.push(p));
    const inFlight = transport.invoke('rules.list', undefined);
    current().drop();
    await expect(inFlight).rejects.toThrow(/Lost the connection to the Porthole host before it answered rules\.list/);
    expect(timers.map((t) => t.ms)).toEqual([500]);

    // Still down: the next attempt waits longer. A call made meanwhile waits for the reconnect.
    timers[0]?.fn();
    const waiting = transport.invoke('app.info', undefined);
    current().drop();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1]?.fn();
    current().open();
    expect(current().sent).toEqual([{ t: 'call', id: 2, m: 'app.info' }]);
    current().receive({ t: 'result', id: 2, r: { ok: true, value: 'info' } });
    await expect(waiting).resolves.toEqual({ ok: true, value: 'info' });
    current().receive({ t: 'event', e: 'rule-state', p: 'after reconnect' });
    expect(seen).toEqual(['after reconnect']);
    expect(sockets).toHaveLength(3);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('sends the token as the first message and holds calls until the host says ready', async () => {
    const { transport, current } = setup({ token: 'tok' });
    const call = transport.invoke('rules.list', undefined);
    current().open();
    expect(current().sent).toEqual([{ t: 'auth', token: 'tok' }]);
    expect(transport.connection.get()).toBe('connecting');
    const later = transport.invoke('app.info', undefined);
    expect(current().sent).toHaveLength(1);
    current().receive({ t: 'ready' });
    expect(transport.connection.get()).toBe('open');
    expect(current().sent).toEqual([
      { t: 'auth', token: 'tok' },
      { t: 'call', id: 1, m: 'rules.list' },
      { t: 'call', id: 2, m: 'app.info' },
    ]);
    current().receive({ t: 'result', id: 1, r: { ok: true, value: [] } });
    current().receive({ t: 'result', id: 2, r: { ok: true, value: 'i' } });
    await expect(Promise.all([call, later])).resolves.toHaveLength(2);
  });

  it('never counts a socket whose token is refused as open, so retries keep backing off', () => {
    const { transport, timers, current } = setup({ token: 'wrong' });
    const states: string[] = [];
    transport.connection.subscribe((s) => states.push(s));
    for (let i = 0; i < 3; i++) {
      current().open();
      current().drop(); // the host closes a wrong token without ever saying ready
      timers[i]?.fn();
    }
    expect(timers.map((t) => t.ms)).toEqual([500, 1000, 2000]);
    expect(states).not.toContain('open');
  });

  it('stops and says the link expired when the host refuses the token (close 4401), instead of reconnecting for ever', async () => {
    const { transport, timers, current } = setup({ token: 'from-the-last-start' });
    const states: string[] = [];
    transport.connection.subscribe((s) => states.push(s));
    const waiting = transport.invoke('rules.list', undefined);
    current().open();
    current().drop(4401);
    expect(transport.connection.get()).toBe('expired');
    expect(timers).toEqual([]);
    await expect(waiting).rejects.toThrow(/refused this link .*before it answered rules\.list\.$/);
    // A plain drop (the host went away) still reconnects.
    const other = setup({ token: 't' });
    other.current().open();
    other.current().drop(1006);
    expect(other.transport.connection.get()).toBe('reconnecting');
    expect(other.timers).toHaveLength(1);
    expect(states).not.toContain('reconnecting');
  });

  it('caps the backoff at 10 seconds', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => reconnectDelay(n))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('on dispose closes the socket, cancels the retry and rejects what is waiting', async () => {
    const { transport, timers, current } = setup();
    current().drop();
    const waiting = transport.invoke('rules.list', undefined);
    transport.dispose();
    expect(timers[0]?.cleared).toBe(true);
    await expect(waiting).rejects.toThrow(/closed before it answered rules\.list/);
    await expect(transport.invoke('app.info', undefined)).rejects.toThrow(/closed/);
    expect(transport.connection.get()).toBe('closed');
  });
});
