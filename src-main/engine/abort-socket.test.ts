import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { NetFixtures, closed, waitFor } from '../../test-support/net-fixtures';
import { abortSocket } from './abort-socket';

/** This process's open file descriptors (Linux): a leaked socket handle keeps its fd. */
const openFds = () => readdirSync('/proc/self/fd').length;

describe.skipIf(process.platform !== 'linux')('abortSocket', () => {
  const net = new NetFixtures();
  afterEach(() => net.cleanup());

  const withDeadline = <T,>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref())]);

  /**
   * A connected socket that has just called end(): Node has asked libuv for the shutdown (in a
   * nextTick after end()), and libuv performs it on its next loop iteration. Until then a reset is
   * refused — the window in which a target's FIN and RST arrive together in one read.
   */
  async function shutdownPending(): Promise<Socket> {
    const srv = await net.server();
    const socket = await net.connect(srv.port);
    await waitFor(() => srv.accepted.length === 1, 'accepted');
    socket.end();
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(socket.writableFinished).toBe(false);
    return socket;
  }

  it('closes a socket whose shutdown is pending (libuv refuses the reset there and Node would leak the handle)', async () => {
    const socket = await shutdownPending();
    const errors: Error[] = [];
    socket.on('error', (e) => errors.push(e));
    const before = openFds();
    abortSocket(socket);
    // Before the fix: 'reset EINVAL', no 'close' ever, and the fd stayed open.
    await withDeadline(closed(socket), 3000, 'the aborted socket to close');
    expect(errors.map((e) => e.message)).not.toContain('reset EINVAL');
    expect(openFds()).toBe(before - 1);
  });

  it('resets an open socket: the peer sees ECONNRESET, not a clean end', async () => {
    let peer: Socket | undefined;
    const srv = await net.server((s) => (peer = s));
    const socket = await net.connect(srv.port);
    await waitFor(() => peer !== undefined, 'accepted');
    const seen = new Promise<string>((resolve) => {
      peer!.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      peer!.on('end', () => resolve('end'));
    });
    abortSocket(socket);
    await closed(socket);
    expect(await seen).toBe('ECONNRESET');
  });
});
