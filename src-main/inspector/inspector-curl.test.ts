import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LOOPBACK, NetFixtures, openTcpHandles, readToEnd, sha256, waitFor } from '../../test-support/net-fixtures';
import { DEFAULT_MAX_BODY_BYTES, type ExchangeDetail, MIB } from '../../src-shared/model/inspector';
import { TcpForwarder } from '../engine/tcp-forward';
import { directDial } from '../service/inspect-wiring';
import { type InspectedRule, InspectorService } from '../service/inspector-service';

// Real clients (curl, ws) through a real tcp-forward mapping with the inspector's tap, against a real
// node:http target that records what it received.

interface Seen {
  method: string;
  url: string;
  headers: string[];
  body: Buffer;
}

let fx = new NetFixtures();
let cleanups: Array<() => Promise<void> | void> = [];
let handlesBefore = 0;

beforeEach(() => {
  handlesBefore = openTcpHandles();
});

afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  await fx.cleanup();
  fx = new NetFixtures();
  await waitFor(() => openTcpHandles() <= handlesBefore, 'every TCP handle the test opened to be released');
});

async function target(handler: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      seen.push({ method: req.method!, url: req.url!, headers: req.rawHeaders, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function mapping(targetPort: number, inspector = new InspectorService(), maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
  const notes: string[] = [];
  const rule: InspectedRule = { id: 'r1', name: 'web', inspect: { enabled: true, maxBodyBytes }, target: { host: LOOPBACK, port: targetPort } };
  const fwd = new TcpForwarder({ listen: { host: LOOPBACK, port: 0 }, target: rule.target, tap: inspector.tapFor(rule, (m) => notes.push(m)) });
  const { port } = await fwd.start();
  inspector.setDialer(rule, directDial(rule.target));
  cleanups.push(async () => {
    await fwd.stop();
    inspector.dispose();
  });
  return { inspector, port, notes, fwd, rule };
}

function curl(args: string[], input?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['--silent', '--show-error', '--max-time', '20', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Waits until the inspector holds n exchanges, and returns their details in order. */
async function recorded(inspector: InspectorService, n: number): Promise<ExchangeDetail[]> {
  await waitFor(() => inspector.store.size >= n, `${n} recorded exchanges (have ${inspector.store.size})`);
  return inspector.list({ limit: 1000 }).exchanges.map((s) => inspector.get(s.id));
}

const text = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString();

describe('Inspect HTTP on a tcp-forward mapping, with curl', () => {
  it('records several keep-alive requests on one connection, in order, with bodies and timings', async () => {
    const t = await target((req, _b, res) => res.end(`you asked for ${req.url}`));
    const { inspector, port } = await mapping(t.port);
    const r = await curl([`http://${LOOPBACK}:${port}/one`, `http://${LOOPBACK}:${port}/two?x=1`, `http://${LOOPBACK}:${port}/three`]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('you asked for /oneyou asked for /two?x=1you asked for /three');
    const xs = await recorded(inspector, 3);
    expect(xs.map((x) => [x.method, x.url, x.status, x.end])).toEqual([
      ['GET', '/one', 200, 'complete'],
      ['GET', '/two?x=1', 200, 'complete'],
      ['GET', '/three', 200, 'complete'],
    ]);
    expect(new Set(xs.map((x) => x.connId)).size).toBe(1);
    expect(text(xs[1]!.response!.body.base64)).toBe('you asked for /two?x=1');
    expect(xs[0]!.request.headers.find(([k]) => k === 'User-Agent')?.[1]).toMatch(/^curl\//);
    for (const x of xs) expect(x.durationMs).toBeGreaterThanOrEqual(x.ttfbMs ?? 0);
  });

  it('de-chunks a chunked upload (curl -T -) and records what the server received', async () => {
    const t = await target((_r, body, res) => res.end(`got ${body.length}`));
    const { inspector, port } = await mapping(t.port);
    const payload = randomBytes(300_000);
    const r = await curl(['-T', '-', `http://${LOOPBACK}:${port}/upload`], payload);
    expect(r.stdout.toString()).toBe('got 300000');
    const [x] = await recorded(inspector, 1);
    expect(x!.request.headers).toContainEqual(['Transfer-Encoding', 'chunked']);
    expect(x!.requestBytes).toBe(300_000);
    expect(sha256(Buffer.from(x!.request.body.base64, 'base64'))).toBe(sha256(payload));
    expect(sha256(t.seen[0]!.body)).toBe(sha256(payload));
  });

  it('shows the 100 Continue of an Expect: 100-continue upload before the final answer', async () => {
    const t = await target((_r, body, res) => res.end(`got ${body.length}`));
    const { inspector, port } = await mapping(t.port);
    const r = await curl(['-H', 'Expect: 100-continue', '--data-binary', '@-', `http://${LOOPBACK}:${port}/form`], Buffer.alloc(5000, 'a'));
    expect(r.stdout.toString()).toBe('got 5000');
    const [x] = await recorded(inspector, 1);
    expect(x!.interim).toEqual([100]);
    expect(x!.status).toBe(200);
    expect(x!.requestBytes).toBe(5000);
  });

  it('decodes a gzip response for display and keeps the wire bytes', async () => {
    const json = JSON.stringify({ hello: 'world', n: [1, 2, 3] });
    const t = await target((_r, _b, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(json));
    });
    const { inspector, port } = await mapping(t.port);
    const r = await curl(['--compressed', `http://${LOOPBACK}:${port}/data.json`]);
    expect(r.stdout.toString()).toBe(json);
    const [x] = await recorded(inspector, 1);
    expect(x!.response!.body.encoding).toBe('gzip');
    expect(text(x!.response!.body.decodedBase64)).toBe(json);
    expect(x!.responseBytes).toBe(gzipSync(json).length);
    expect(x!.responseType).toBe('application/json');
  });

  it('keeps the first 1 MiB of a bigger body, counts the rest, and the client still gets every byte', async () => {
    const big = randomBytes(3 * MIB);
    const t = await target((_r, _b, res) => res.end(big));
    const { inspector, port } = await mapping(t.port);
    const r = await curl([`http://${LOOPBACK}:${port}/big.bin`]);
    expect(sha256(r.stdout)).toBe(sha256(big));
    const [x] = await recorded(inspector, 1);
    expect(x!.responseBytes).toBe(3 * MIB);
    expect(x!.truncated).toBe(true);
    expect(x!.response!.body.truncated).toBe(true);
    const kept = Buffer.from(x!.response!.body.base64, 'base64');
    expect(kept.length).toBe(MIB);
    expect(kept.equals(big.subarray(0, MIB))).toBe(true);
  });

  it('replays a request to the real target: the server sees the same request; an edited replay sends the edit', async () => {
    const t = await target((req, body, res) => res.end(`${req.method} ${req.url} ${body.length}`));
    const { inspector, port } = await mapping(t.port);
    await curl(['-H', 'X-Trace: abc', '-H', 'Authorization: Bearer s3cret', '--data-binary', 'name=porthole', `http://${LOOPBACK}:${port}/hook?id=7`]);
    const [orig] = await recorded(inspector, 1);
    const replay = await inspector.replay(orig!.id);
    expect(replay.replayOf).toBe(orig!.id);
    expect(replay.status).toBe(200);
    expect(text(replay.response!.body.base64)).toBe('POST /hook?id=7 13');
    expect(t.seen).toHaveLength(2);
    const [first, second] = t.seen;
    expect(second!.method).toBe(first!.method);
    expect(second!.url).toBe(first!.url);
    expect(second!.body.equals(first!.body)).toBe(true);
    const pairs = (h: string[]) => h.reduce<string[]>((out, v, i) => (i % 2 === 0 && v.toLowerCase() !== 'connection' ? [...out, `${v}: ${h[i + 1]}`] : out), []);
    expect(pairs(second!.headers)).toEqual(pairs(first!.headers));

    const edited = await inspector.replay(orig!.id, { method: 'PUT', url: '/hook?id=8', headers: [['Host', 'example.test']], bodyBase64: Buffer.from('changed').toString('base64') });
    expect(text(edited.response!.body.base64)).toBe('PUT /hook?id=8 7');
    expect(t.seen[2]!.headers).toContain('example.test');
    expect(inspector.list({ limit: 10 }).exchanges.map((s) => s.replayOf)).toEqual([undefined, orig!.id, orig!.id]);
  });
});

describe('Inspect HTTP: what it must leave alone', () => {
  it('shows a WebSocket upgrade as upgraded while frames flow both ways untouched', async () => {
    const t = await target((_r, _b, res) => res.end('plain'));
    const wss = new WebSocketServer({ server: t.server });
    wss.on('connection', (ws) => ws.on('message', (m, binary) => ws.send(binary ? m : `echo ${String(m)}`)));
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    const { inspector, port } = await mapping(t.port);
    const ws = new WebSocket(`ws://${LOOPBACK}:${port}/socket`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const replies: Buffer[] = [];
    const got = new Promise<void>((r) =>
      ws.on('message', (m: Buffer) => {
        replies.push(m);
        if (replies.length === 3) r();
      }),
    );
    const bin = randomBytes(200_000);
    ws.send('one');
    ws.send(bin);
    ws.send('two');
    await got;
    expect(String(replies[0])).toBe('echo one');
    expect(sha256(replies[1]!)).toBe(sha256(bin));
    expect(String(replies[2])).toBe('echo two');
    ws.close();
    const [x] = await recorded(inspector, 1);
    expect([x!.status, x!.end, x!.upgrade, x!.url]).toEqual([101, 'upgraded', 'websocket', '/socket']);
    expect(inspector.store.size).toBe(1);
  });

  it('passes a binary stream that is not HTTP untouched, and says so once for the mapping', async () => {
    const echo = await fx.echoServer();
    const { inspector, port, notes } = await mapping(echo.port);
    for (let i = 0; i < 3; i++) {
      const payload = randomBytes(2 * MIB);
      payload[0] = 0x00;
      const client = await fx.connect(port);
      const back = readToEnd(client);
      client.end(payload);
      const got = await back;
      expect(got.sha256).toBe(sha256(payload));
    }
    expect(notes).toEqual(['Inspect HTTP: the traffic is not HTTP/1.x: it passes untouched and is not recorded']);
    expect(inspector.store.size).toBe(0);
    expect(inspector.list({ limit: 10 }).notices.map((n) => n.kind)).toEqual(['not-http']);
  });
});
