import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/tmp';
import { RelayHost, type RelayWorkerStoppedError } from './relay-host';
import { checkStatus, checkWorkerMessage, checkWorkerOptions, checkWorkerRequest } from './relay-worker-checks';
import { RELAY_WORKER_PROTOCOL } from './relay-worker-protocol';

// The boundary between RelayHost and the relay's thread: every message is checked on arrival, and a
// thread that sends nonsense or cannot load fails the relay with a message saying so. The "workers"
// here are real worker threads running small scripts that misbehave on purpose.

const POLICY = { bind: { host: '127.0.0.1', port: 0 }, tls: false, agents: [{ name: 'a1', token: 'a-token-long-enough', ports: [], allowPorts: [{ from: 20000, to: 20010 }] }] };

describe('relay worker messages', () => {
  it('rebuilds valid messages from known fields and names the offending field of invalid ones', () => {
    const status = { running: true, tls: false, agents: [{ name: 'a1', online: false, exposures: [], allowPorts: '20000-20010', configuredPorts: 0, sneaky: 1 }], warnings: [] };
    expect(checkStatus(status).agents[0]).not.toHaveProperty('sneaky');
    expect(() => checkStatus({ ...status, running: 'yes' })).toThrow('running: expected true or false');
    expect(() => checkWorkerMessage({ t: 'log', level: 'debug', message: 'x' })).toThrow('level: expected one of info, warn, error');
    const line = { key: 'relayStopped', fields: { n: 1 }, inner: { key: 'relayCouldNotStart', fields: { error: 'x' } } };
    expect(checkWorkerMessage({ t: 'log', level: 'warn', message: 'm', line: { ...line, sneaky: 1 } })).toEqual({ t: 'log', level: 'warn', message: 'm', line });
    // A window renders a line by its code: one without a known code, or with fields that are not text or numbers, does not cross.
    expect(() => checkWorkerMessage({ t: 'log', level: 'warn', message: 'm' })).toThrow('log line: expected a known log code');
    expect(() => checkWorkerMessage({ t: 'log', level: 'warn', message: 'm', line: { key: 'noSuchCode', fields: {} } })).toThrow('log line');
    expect(() => checkWorkerMessage({ t: 'log', level: 'warn', message: 'm', line: { key: 'relayStopped', fields: { f: { nested: 1 } } } })).toThrow('log line');
    expect(() => checkWorkerRequest({ op: 'exec', rid: 1 })).toThrow('op: expected one of');
    expect(() => checkWorkerOptions({ policy: { ...POLICY, bind: { host: '127.0.0.1', port: 70000 } } })).toThrow('port: expected an integer in 0..65535');
    expect(checkWorkerOptions({ policy: POLICY, dataConnections: { max: 8, bogus: 1 } }).dataConnections).toEqual({ max: 8 });
  });
});

describe('RelayHost and a misbehaving thread', () => {
  const t = tempDir();
  let host: RelayHost | undefined;
  afterEach(async () => {
    await host?.stop();
  });
  afterAll(() => t.cleanup());

  function script(name: string, body: string): string {
    const file = join(t.dir, name);
    writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
    return file;
  }

  it('a thread that answers start with an invalid status is ended and the relay fails, naming the field', async () => {
    const entry = script(
      'bad-status.mjs',
      `parentPort.postMessage({ t: 'ready', protocol: ${RELAY_WORKER_PROTOCOL} });
       parentPort.on('message', (m) => {
         if (m.op === 'start') parentPort.postMessage({ t: 'reply', rid: m.rid, ok: true, value: { host: '127.0.0.1', port: 1 } });
         if (m.op === 'status') parentPort.postMessage({ t: 'reply', rid: m.rid, ok: true, value: { running: true, tls: false, agents: [], warnings: [] } });
         if (m.op === 'status') parentPort.postMessage({ t: 'status', status: { running: 'yes' }, changed: true });
       });`,
    );
    host = new RelayHost({ policy: POLICY, entry });
    const failed = new Promise<RelayWorkerStoppedError>((resolve) => host!.once('failed', resolve));
    await host.start();
    const err = await failed;
    expect(err.message).toMatch(/^The relay stopped: the relay's worker thread .* ended unexpectedly \(exit code 1: it sent an invalid message \(running: expected true or false\)\)/);
    expect(host.status().running).toBe(false);
    expect(host.threadId).toBeUndefined();
  });

  it('a thread that cannot load fails start() with the reason and what to do', async () => {
    host = new RelayHost({ policy: POLICY, entry: script('throws.mjs', `throw new Error('missing piece');`) });
    await expect(host.start()).rejects.toThrow(/^The relay could not start: the relay's worker thread .* failed to load \(exit code 1: Error: missing piece\) — reinstall or rebuild Porthole$/);
  });

  it('the real thread runs the relay: status, metrics and stop', async () => {
    host = new RelayHost({ policy: POLICY });
    const bound = await host.start();
    expect(host.status()).toMatchObject({ running: true, listening: `127.0.0.1:${bound.port}`, agents: [{ name: 'a1', online: false, allowPorts: '20000-20010' }] });
    expect(await host.metricsText()).toMatch(/^porthole_relay_agents_configured 1$/m);
    await host.stop();
    expect(host.status().running).toBe(false);
    expect(await host.metricsText()).toBe('');
  });
});
