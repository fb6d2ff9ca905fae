import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetFixtures, closed, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { tempDir } from '../../test-support/tmp';
import { listenError } from '../engine/engine-error';
import { DataPlane, type DataPlaneStoppedError, type ListenerHandlers } from './data-plane';
import { type PlaneEvent, plainTcpListener, type TcpListenerSpec } from './protocol';

const tcp = (port: number, targetPort: number, extra: Partial<TcpListenerSpec> = {}): TcpListenerSpec =>
  plainTcpListener({ host: '127.0.0.1', port }, { host: '127.0.0.1', port: targetPort }, { connectTimeoutMs: 5000, ...extra });

describe('DataPlane (worker thread)', () => {
  const net = new NetFixtures();
  let plane: DataPlane | undefined;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(async () => {
    await plane?.close();
    plane = undefined;
    await net.cleanup();
    t.cleanup();
  });

  const handlers = () => {
    const events: PlaneEvent[] = [];
    const lost: DataPlaneStoppedError[] = [];
    const h: ListenerHandlers = { event: (e) => events.push(e), lost: (err) => lost.push(err) };
    return { h, events, lost };
  };

  it('forwards in a thread of its own, meters through shared memory, lists and closes connections', async () => {
    const echo = await net.echoServer();
    plane = new DataPlane();
    const { h, events } = handlers();
    const l = await plane.listen(tcp(0, echo.port), h);
    expect(plane.threadId).toBeDefined();
    expect(plane.threadId).not.toBe(threadId);
    const client = await net.connect(l.bound.port);
    // Read (and drop) the echo: a socket that stops reading would not notice the reset below.
    client.resume();
    const payload = Buffer.alloc(256 * 1024, 7);
    client.write(payload);
    await waitFor(() => l.snapshot().bytesOut === payload.length, 'the echo to be metered');
    expect(l.snapshot()).toEqual({ bytesIn: payload.length, bytesOut: payload.length, activeConnections: 1, totalConnections: 1 });
    const rows = await l.connections();
    expect(rows).toEqual([expect.objectContaining({ id: 1, client: `127.0.0.1:${client.localPort}`, state: 'open', bytesIn: payload.length })]);
    expect(await l.closeConnection(1)).toBe(true);
    expect(await l.closeConnection(1)).toBe(false);
    await closed(client);
    await waitFor(() => events.some((e) => e.e === 'close'), 'the close event');
    expect(events.map((e) => e.e)).toEqual(['open', 'close']);
    await l.stop();
    expect(l.snapshot().activeConnections).toBe(0);
    expect(await l.connections()).toEqual([]);
  });

  it('delivers every open and close of a stream of short connections, each close after its open, batched or not', async () => {
    const echo = await net.echoServer();
    plane = new DataPlane();
    const { h, events } = handlers();
    const l = await plane.listen(tcp(0, echo.port), h);
    const n = 30;
    for (let i = 0; i < n; i++) {
      const c = await net.connect(l.bound.port);
      c.end('x');
      expect((await readToEnd(c)).text).toBe('x');
    }
    await waitFor(() => events.filter((e) => e.e === 'close').length === n, `${n} close events`);
    const seen = events.map((e) => `${e.e} ${'id' in e ? e.id : ''}`);
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    // (A connection's close may come after the next one's open: the client is done before both sockets are.)
    expect(seen.filter((s) => s.startsWith('open'))).toEqual(ids.map((id) => `open ${id}`));
    expect(seen.filter((s) => s.startsWith('close')).sort()).toEqual(ids.map((id) => `close ${id}`).sort());
    for (const id of ids) expect(seen.indexOf(`open ${id}`)).toBeLessThan(seen.indexOf(`close ${id}`));
    // A request is answered after the events raised before it: the list is empty and no event is behind.
    expect(await l.connections()).toEqual([]);
    expect(l.snapshot()).toMatchObject({ activeConnections: 0, totalConnections: n });
  });

  it('reports a taken port with the engine\'s own code and message', async () => {
    const taken = await net.server();
    plane = new DataPlane();
    const err = await plane.listen(tcp(taken.port, 1), handlers().h).catch((e: unknown) => e);
    const expected = listenError(Object.assign(new Error('x'), { code: 'EADDRINUSE' }), '127.0.0.1', taken.port);
    expect(err).toMatchObject({ code: 'PORT_IN_USE', message: expected.message });
  });

  it('a killed thread fails every listener it carried (restartable), frees their ports, and the next listen runs on a new thread', async () => {
    const echo = await net.echoServer();
    plane = new DataPlane();
    const a = handlers();
    const b = handlers();
    const la = await plane.listen(tcp(0, echo.port), a.h);
    const lb = await plane.listen(tcp(0, echo.port), b.h);
    // Not half-open: the thread's sockets close like a crashed process's (the kernel sends FIN).
    const client = await net.connect(la.bound.port, { allowHalfOpen: false });
    client.resume();
    client.write('x');
    await waitFor(() => la.snapshot().bytesOut === 1, 'one byte through');
    const first = plane.threadId;
    await plane.kill();
    for (const r of [a, b]) {
      expect(r.lost).toHaveLength(1);
      expect(r.lost[0]).toMatchObject({ code: 'DATA_PLANE_STOPPED', restartable: true });
      expect(r.lost[0]!.message).toMatch(/stopped unexpectedly \(exit code 1\) — Porthole restarts it with its mappings$/);
    }
    await closed(client);
    // The meters keep their last totals; nothing is live any more.
    expect(la.snapshot()).toMatchObject({ bytesIn: 1, bytesOut: 1, activeConnections: 0 });
    expect(await la.connections()).toEqual([]);
    const again = await plane.listen(tcp(lb.bound.port, echo.port), handlers().h);
    expect(plane.threadId).not.toBe(first);
    const c2 = await net.connect(again.bound.port);
    c2.end('again');
    expect((await readToEnd(c2)).text).toBe('again');
  });

  it('stopping again and again within the window is final: the listener is told not to restart', async () => {
    const echo = await net.echoServer();
    plane = new DataPlane({ crashLoop: { max: 2, windowMs: 60_000 } });
    const first = handlers();
    await plane.listen(tcp(0, echo.port), first.h);
    await plane.kill();
    expect(first.lost[0]?.restartable).toBe(true);
    const second = handlers();
    await plane.listen(tcp(0, echo.port), second.h);
    await plane.kill('out of memory');
    expect(second.lost[0]).toMatchObject({ code: 'DATA_PLANE_STOPPED', restartable: false });
    expect(second.lost[0]!.message).toContain('stopped unexpectedly 2 times within 60 s (last: exit code 1: out of memory) — switch the mapping on again');
    // Switching on again still works: a new thread starts.
    const l = await plane.listen(tcp(0, echo.port), handlers().h);
    expect(l.bound.port).toBeGreaterThan(0);
  });

  it('a worker that cannot load fails the listen as final, naming the cause', async () => {
    plane = new DataPlane({ entry: join(t.dir, 'missing.mjs') });
    const err = (await plane.listen(tcp(0, 1), handlers().h).catch((e: unknown) => e)) as DataPlaneStoppedError;
    expect(err).toMatchObject({ code: 'DATA_PLANE_STOPPED', restartable: false });
    expect(err.message).toMatch(/could not start \(exit code 1: Cannot find module .*missing\.mjs/);
  });

  it('a worker that stops answering is ended by the watchdog, and what waited on it fails', async () => {
    const mute = join(t.dir, 'mute.mjs');
    // Says it is ready, then never answers (as a data plane stuck in a loop would).
    writeFileSync(mute, "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ t: 'ready', protocol: 1 }); parentPort.on('message', () => {});\n");
    plane = new DataPlane({ entry: mute, watchdog: { intervalMs: 50, deadlineMs: 300 } });
    const err = (await plane.listen(tcp(0, 1), handlers().h).catch((e: unknown) => e)) as DataPlaneStoppedError;
    expect(err).toMatchObject({ code: 'DATA_PLANE_STOPPED', restartable: true });
    expect(err.message).toContain('stopped answering for 0.3 s');
  });

  it('a worker that sends something invalid is ended as failed', async () => {
    const liar = join(t.dir, 'liar.mjs');
    writeFileSync(
      liar,
      "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ t: 'ready', protocol: 1 }); parentPort.on('message', (m) => parentPort.postMessage({ t: 'reply', rid: m.rid, ok: false, error: { code: 'NOPE', message: 'x' } }));\n",
    );
    plane = new DataPlane({ entry: liar });
    const err = (await plane.listen(tcp(0, 1), handlers().h).catch((e: unknown) => e)) as DataPlaneStoppedError;
    expect(err.code).toBe('DATA_PLANE_STOPPED');
    expect(err.message).toContain('sent an invalid message (code: expected one of');
  });

  it('close() stops the listeners without reporting them lost, and refuses new ones', async () => {
    const echo = await net.echoServer();
    plane = new DataPlane();
    const r = handlers();
    const l = await plane.listen(tcp(0, echo.port), r.h);
    const client = await net.connect(l.bound.port);
    await plane.close();
    await closed(client);
    expect(r.lost).toEqual([]);
    await expect(plane.listen(tcp(0, echo.port), r.h)).rejects.toThrow(/shut down/);
  });
});

