import { type AddressInfo, type Server, createServer } from 'node:net';

/** Ports freeLoopbackPort() has handed out in this process (module instance): none is handed out twice. */
const handedOut = new Set<number>();

/**
 * A 127.0.0.1 port that was free a moment ago and has nothing listening on it now, never one this
 * process was given before: two calls in a row may otherwise get the same port back from the kernel
 * once the first probe closed (seen in CI: an import test's two mappings then shared a port and the
 * second was skipped as a clash). Used by NetFixtures and the e2e support alike.
 */
export async function freeLoopbackPort(): Promise<number> {
  const probes: Server[] = [];
  try {
    for (;;) {
      const s = createServer();
      probes.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
          s.removeListener('error', reject);
          resolve();
        });
      });
      const port = (s.address() as AddressInfo).port;
      if (!handedOut.has(port)) {
        handedOut.add(port);
        return port;
      }
    }
  } finally {
    // A probe whose listen failed is not listening: close() still calls back (with an error we ignore).
    await Promise.all(probes.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
