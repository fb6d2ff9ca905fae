import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, closed, readToEnd, waitFor } from '../../test-support/net-fixtures';
import { adoptWithOnread, giveOnread } from './adopt-accepted';

describe('adoptWithOnread', () => {
  const fx = new NetFixtures();
  const servers: net.Server[] = [];
  afterEach(async () => {
    await fx.cleanup();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function listen(opts: net.ServerOpts, onSocket: (s: Socket) => void): Promise<{ server: net.Server; port: number }> {
    const server = net.createServer(opts, onSocket);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, port: (server.address() as net.AddressInfo).port };
  }

  it('reads an accepted socket into the caller\'s buffer (no allocation per read), writes and ends as before', async () => {
    const mine = Buffer.alloc(4096);
    const reads: { n: number; same: boolean; text: string }[] = [];
    let adopted: Socket | undefined;
    let original: Socket | undefined;
    let peer: string | undefined;
    const { server, port } = await listen({ pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
      original = accepted;
      adopted = adoptWithOnread(
        accepted,
        {
          buffer: () => mine,
          callback: (n, buf) => {
            reads.push({ n, same: buf === mine, text: buf.subarray(0, n).toString() });
            return true;
          },
        },
        true,
      );
      if (!adopted) return;
      peer = adopted.remoteAddress;
      fx.socket(adopted);
      adopted.once('end', () => adopted!.end(`got ${reads.map((r) => r.text).join('')}`));
      adopted.resume();
    });
    const client = await fx.connect(port);
    const reply = readToEnd(client);
    client.end('hello');
    expect((await reply).text).toBe('got hello');
    expect(adopted).toBeDefined();
    expect(reads.every((r) => r.same)).toBe(true);
    expect(reads.reduce((a, r) => a + r.n, 0)).toBe(5);
    expect(peer).toBe('127.0.0.1');
    // On this Node the socket is given `onread` in place: no second Socket per connection.
    expect(adopted).toBe(original);
    await closed(adopted!);
    // Once closed, the server counts it no more: close() is not held up by it.
    const count = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    expect(count).toBe(0);
  });

  it('leaves a socket that has started reading alone', async () => {
    let result: Socket | undefined | null = null;
    const { port } = await listen({ allowHalfOpen: true }, (accepted) => {
      fx.socket(accepted);
      accepted.on('data', () => {
        result = adoptWithOnread(accepted, { buffer: () => Buffer.alloc(16), callback: () => true }, true);
        accepted.end();
      });
    });
    const client = await fx.connect(port);
    client.write('x');
    await waitFor(() => result !== null, 'the accepted socket to read');
    expect(result).toBeUndefined();
  });

  it('giveOnread switches a socket that has read already: earlier bytes stay readable, later ones go to the callback', async () => {
    const mine = Buffer.alloc(4096);
    const later: string[] = [];
    let accepted: Socket | undefined;
    const { port } = await listen({ allowHalfOpen: true }, (s) => {
      accepted = fx.socket(s);
    });
    const client = await fx.connect(port);
    client.write('before');
    await waitFor(() => accepted !== undefined && accepted.readableLength === 6, 'the first bytes to be read');
    const s = accepted!;
    s.pause();
    const given = giveOnread(s, {
      buffer: () => mine,
      callback: (n, buf) => {
        later.push(buf.subarray(0, n).toString());
        return true;
      },
    });
    expect(given).toBe(true);
    expect(String(s.read())).toBe('before');
    s.resume();
    client.write('after');
    await waitFor(() => later.join('') === 'after', 'the later bytes to reach the callback');
    // A socket that has onread already is left as it is.
    expect(giveOnread(s, { buffer: () => Buffer.alloc(16), callback: () => true })).toBe(false);
    s.destroy();
    await closed(s);
    expect(giveOnread(s, { buffer: () => Buffer.alloc(16), callback: () => true })).toBe(false);
  });
});
