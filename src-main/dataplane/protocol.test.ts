import { Worker } from 'node:worker_threads';
import { describe, expect, inject, it } from 'vitest';
import { DATA_PLANE_PROTOCOL } from './protocol';
import { ProtocolError, checkMessage, checkRequest, checkSpec } from './protocol-checks';

const spec = {
  kind: 'tcp',
  listen: { host: '127.0.0.1', port: 8080 },
  target: { host: 'db.lan', port: 5432 },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  keepAlive: true,
  maxConnections: 0,
  allow: ['10.0.0.0/8'],
  deny: [],
  proxyProtocol: 'v2',
};

describe('data plane messages', () => {
  it('accepts well-formed requests and keeps only the known fields', () => {
    expect(checkRequest({ op: 'start', rid: 1, lid: 2, spec: { ...spec, extra: 'dropped' } })).toEqual({ op: 'start', rid: 1, lid: 2, spec });
    expect(checkRequest({ op: 'close-connection', rid: 3, lid: 2, id: 9 })).toEqual({ op: 'close-connection', rid: 3, lid: 2, id: 9 });
    expect(checkRequest({ op: 'ping', rid: 4 })).toEqual({ op: 'ping', rid: 4 });
  });

  it.each([
    [{ op: 'explode', rid: 1 }, /op: expected one of/],
    [{ op: 'stop', rid: -1, lid: 1 }, /rid: expected an integer/],
    [{ op: 'start', rid: 1, lid: 1, spec: { ...spec, listen: { host: '127.0.0.1', port: 70000 } } }, /port: expected an integer in 0\.\.65535/],
    [{ op: 'start', rid: 1, lid: 1, spec: { ...spec, listen: { host: '', port: 1 } } }, /listen\.host: empty/],
    [{ op: 'start', rid: 1, lid: 1, spec: { ...spec, allow: 'everyone' } }, /allow: expected a list/],
    [{ op: 'start', rid: 1, lid: 1, spec: { ...spec, proxyProtocol: 'v3' } }, /proxyProtocol: expected one of off, v1, v2/],
    [{ op: 'start', rid: 1, lid: 1, spec: { ...spec, kind: 'sctp' } }, /kind: expected one of tcp, udp, socks/],
    [null, /request: expected an object/],
  ])('refuses %j', (req, why) => {
    expect(() => checkRequest(req)).toThrow(ProtocolError);
    expect(() => checkRequest(req)).toThrow(why);
  });

  it('checks what comes back: error codes must be known ones, events well-formed', () => {
    expect(checkMessage({ t: 'reply', rid: 1, ok: false, error: { code: 'PORT_IN_USE', message: 'taken' } })).toMatchObject({ ok: false });
    expect(() => checkMessage({ t: 'reply', rid: 1, ok: false, error: { code: 'EADDRINUSE', message: 'taken' } })).toThrow(/code: expected one of/);
    expect(() => checkMessage({ t: 'events', events: [{ e: 'open', lid: 1, id: 1 }] })).toThrow(/client: expected a string/);
    expect(() => checkMessage({ t: 'events', events: [{ e: 'refused', lid: 1, client: 'x', reason: 'bored' }] })).toThrow(/reason/);
    expect(checkSpec({ kind: 'socks', listen: { host: '::1', port: 1080 }, connectTimeoutMs: 1, handshakeTimeoutMs: 1, auth: { username: 'u', password: 'p' }, allow: [], deny: [], maxConnections: 0 })).toMatchObject({ auth: { username: 'u' } });
  });

  it('the worker answers an invalid request with an error naming the field, and keeps serving', async () => {
    const worker = new Worker(inject('dataPlaneEntry'), { workerData: { protocol: DATA_PLANE_PROTOCOL } });
    try {
      const replies: unknown[] = [];
      worker.on('message', (m: { t: string }) => m.t === 'reply' && replies.push(m));
      worker.postMessage({ op: 'start', rid: 7, lid: 1, spec: { ...spec, listen: { host: '127.0.0.1', port: -5 } } });
      worker.postMessage({ op: 'ping', rid: 8 });
      await new Promise<void>((resolve) => {
        const check = () => (replies.length === 2 ? resolve() : setTimeout(check, 10));
        check();
      });
      expect(replies[0]).toEqual({
        t: 'reply',
        rid: 7,
        ok: false,
        error: { code: 'INTERNAL', message: 'The data plane got an invalid request (port: expected an integer in 0..65535, got -5)' },
      });
      expect(replies[1]).toEqual({ t: 'reply', rid: 8, ok: true, value: {} });
    } finally {
      await worker.terminate();
    }
  });

  it('the worker refuses to serve a control thread that speaks another protocol version', async () => {
    const worker = new Worker(inject('dataPlaneEntry'), { workerData: { protocol: DATA_PLANE_PROTOCOL + 1 }, stderr: true });
    let err = '';
    worker.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain(`protocol ${DATA_PLANE_PROTOCOL + 1} asked, ${DATA_PLANE_PROTOCOL} spoken`);
  });
});
