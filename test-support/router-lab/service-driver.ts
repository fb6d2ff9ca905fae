import { createInterface } from 'node:readline';
import { createCore } from '../../src-main/service/core';
import { confFactory } from '../../src-main/store/conf-factories';

// Runs a real Porthole host (store, service, API handler table) inside the LAN namespace of the
// router lab; the test calls its API over stdin/stdout, one JSON line each way, and receives its
// rule-state and log events the same way.

export async function runServiceDriver(args: string[]): Promise<void> {
  const [dataDir] = args;
  const core = await createCore({ dataDir: dataDir!, mode: 'browser', confFactory, storeBackend: 'conf', version: 'lab', statsIntervalMs: 60_000 });
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  core.api.subscribe('rule-state', (payload) => out({ event: 'rule-state', payload }));
  core.api.subscribe('log', (payload) => out({ event: 'log', payload }));
  // The in-app relay's status, only when something in it changed (not every 1 s tick).
  let lastRelay = '';
  core.api.subscribe('relay-server', (payload) => {
    const { startedAt: _s, ...shape } = payload;
    const agents = shape.agents.map((a) => ({ ...a, exposures: a.exposures.map((x) => ({ id: x.id, publicAddress: x.publicAddress, protocol: x.protocol })) }));
    const key = JSON.stringify({ ...shape, agents });
    if (key === lastRelay) return;
    lastRelay = key;
    out({ event: 'relay-server', payload });
  });
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const { id, method, input } = JSON.parse(line) as { id: number; method: string; input?: unknown };
    void core.api.handle(method, input).then((envelope) => out({ id, envelope }));
  });
  // End of stdin is "quit": the same graceful shutdown as the app (which unmaps on the router).
  rl.on('close', () => {
    void core.shutdown().then(() => {
      out({ event: 'shut-down' });
      process.exit(0);
    });
  });
  out({ ready: true });
}
