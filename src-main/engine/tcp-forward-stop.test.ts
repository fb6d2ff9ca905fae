import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { LOOPBACK, NetFixtures, closed } from '../../test-support/net-fixtures';
import { rawTcp } from './raw-tcp';
import type { RawHandle, SockAddr } from './raw-tcp';
import { TcpForwarder } from './tcp-forward';

// Stopping a rule while one of its connections passes a FIN on: the stop must not wait forever.

const fx = new NetFixtures();
afterEach(() => fx.cleanup());

/** Replaces obj[key] with a wrapper that calls `after` (with this) once the original returned; restore() puts it back. */
function wrap<T extends object>(obj: T, key: keyof T, after: (self: never) => void): () => void {
  const original = obj[key] as (...args: unknown[]) => unknown;
  obj[key] = function (this: never, ...args: unknown[]) {
    const r = original.apply(this, args);
    after(this);
    return r;
  } as T[keyof T];
  return () => {
    obj[key] = original as T[keyof T];
  };
}

/** What Node's TCP handles inherit their methods from. */
function handlePrototype(): RawHandle {
  const h = rawTcp()!.newSocket();
  h.close();
  return Object.getPrototypeOf(h) as RawHandle;
}

async function stopDuringShutdown(rawHandles: boolean) {
  const target = await fx.server((s) => s.resume());
  const fwd = new TcpForwarder({ listen: { host: LOOPBACK, port: 0 }, target: { host: LOOPBACK, port: target.port }, rawHandles });
  const { port } = await fwd.start();
  expect(fwd.usesRawHandles).toBe(rawHandles);
  // Stop in the one loop turn where it happened in the router lab: right after the forwarder passed
  // the client's FIN on to the target, before libuv has carried out that shutdown — end() on the
  // socket path, the handle's shutdown() on the raw one.
  let stopping: Promise<void> | undefined;
  const restore = rawHandles
    ? wrap(handlePrototype(), 'shutdown', (self: RawHandle) => {
        const peer: SockAddr = {};
        self.getpeername(peer);
        if (peer.port === target.port && !stopping) stopping = fwd.stop();
      })
    : wrap(net.Socket.prototype, 'end', (self: net.Socket) => {
        if (self.remotePort === target.port && !stopping) stopping = fwd.stop();
      });
  try {
    const client = await fx.connect(port);
    client.end('last words');
    await closed(client);
  } finally {
    restore();
  }
  expect(stopping).toBeDefined();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still stopping after 3 s'), 3000)));
  expect(await Promise.race([stopping!.then(() => 'stopped'), deadline])).toBe('stopped');
  clearTimeout(timer);
}

it('stop() resolves when it lands while the FIN passed on to the target is still being sent (shutdown under way), net.Socket path', () =>
  stopDuringShutdown(false));

it('stop() resolves when it lands while the FIN passed on to the target is still being sent (shutdown under way), raw handle path', () =>
  stopDuringShutdown(true));
