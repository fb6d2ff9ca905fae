import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, closed } from '../../test-support/net-fixtures';
import { TcpForwarder } from './tcp-forward';

// Stopping a rule while one of its connections passes a FIN on: the stop must not wait forever.

const fx = new NetFixtures();
afterEach(() => fx.cleanup());

it('stop() resolves when it lands while the FIN passed on to the target is still being sent (shutdown under way)', async () => {
  const target = await fx.server((s) => s.resume());
  const fwd = new TcpForwarder({ listen: { host: LOOPBACK, port: 0 }, target: { host: LOOPBACK, port: target.port } });
  const { port } = await fwd.start();
  // Stop in the one loop turn where it happened in the router lab: right after the forwarder passed
  // the client's FIN on with end() to the target, before libuv has carried out that shutdown.
  const end = net.Socket.prototype.end;
  let stopping: Promise<void> | undefined;
  net.Socket.prototype.end = function (this: net.Socket, ...args: Parameters<typeof end>) {
    const r = end.apply(this, args);
    if (this.remotePort === target.port && !stopping) stopping = fwd.stop();
    return r;
  } as typeof end;
  try {
    const client = await fx.connect(port);
    client.end('last words');
    await closed(client);
  } finally {
    net.Socket.prototype.end = end;
  }
  expect(stopping).toBeDefined();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still stopping after 3 s'), 3000)));
  expect(await Promise.race([stopping!.then(() => 'stopped'), deadline])).toBe('stopped');
  clearTimeout(timer);
});
