import { afterEach, beforeEach, expect } from 'vitest';
import type { LocalRelaySettings, RuleEntry } from '../src-shared/api/contract';
import { LOG_QUERY_MAX_LIMIT } from '../src-shared/model/log';
import type { RelayEntry, RelayServerStatus } from '../src-shared/model/relay';
import { type Core, type CoreOptions, createCore } from '../src-main/service/core';
import { confFactory } from '../src-main/store/conf-factories';
import { linesWithoutCode } from './log-codes';
import { NetFixtures, waitFor } from './net-fixtures';
import { tempDir } from './tmp';

// The service core as the service tests use it: a fresh core per test (browser mode, the conf store)
// in a data dir of its own, loopback fixtures, and everything shut down and removed after the test.

/** An API call's value, or an Error naming the method, the code and the message. */
export async function apiCall<T>(core: Core, method: string, args?: unknown): Promise<T> {
  const r = await core.api.handle(method, args);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** An API call's error (code and message), or an Error naming the method if it succeeded. */
export async function apiRefusal(core: Core, method: string, args?: unknown): Promise<{ code: string; message: string }> {
  const r = await core.api.handle(method, args);
  if (r.ok) throw new Error(`${method} succeeded`);
  return r.error;
}

export interface ServiceCoreFixture {
  /** The current test's core (only inside a test or its hooks). */
  readonly core: Core;
  readonly net: NetFixtures;
  /** The test's temp dir; the core's data dir unless `dataDir` said otherwise. */
  readonly dir: string;
  call<T>(method: string, args?: unknown): Promise<T>;
  /** See apiRefusal. */
  refused(method: string, args?: unknown): Promise<{ code: string; message: string }>;
}

export interface ServiceCoreSetup {
  /** Core options over the defaults, made per test (given the test's temp dir). */
  options?: (dir: string) => Partial<CoreOptions>;
  /** Runs after the core shut down, before the temp dir goes (a test's own afterEach runs before the shutdown). */
  afterShutdown?: () => Promise<void> | void;
  /** Fails the test when a line reached the log without a code a window can translate (issue 18). */
  checkLogCodes?: boolean;
}

/**
 * The in-app relay on a free port with one agent ("laptop") allowed one free public port, a saved relay
 * pointing at it, and a running relay-expose rule carrying a loopback echo server through it.
 */
export async function exposeEchoThroughInAppRelay(f: ServiceCoreFixture): Promise<{ port: number; publicPort: number; rule: RuleEntry }> {
  const echo = await f.net.echoServer();
  const port = await f.net.freePort();
  const publicPort = await f.net.freePort();
  const token = 'laptop-token-for-tests';
  await f.call<LocalRelaySettings>('relayServer.configure', {
    config: { bind: { host: '127.0.0.1', port }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: `${publicPort}` }] },
    tokens: { laptop: token },
  });
  expect((await f.call<RelayServerStatus>('relayServer.start')).running).toBe(true);
  const relay = await f.call<RelayEntry>('relays.create', { relay: { name: 'r', host: '127.0.0.1', port, agentName: 'laptop' }, token });
  const rule = await f.call<RuleEntry>('rules.create', { type: 'relay-expose', name: 'echo', enabled: true, relay: relay.relay.id, target: { host: '127.0.0.1', port: echo.port }, remotePort: publicPort });
  await waitFor(() => f.core.service.entryOf(rule.rule.id).status.state === 'running', 'the relay-expose rule running');
  return { port, publicPort, rule };
}

/** Registers the beforeEach/afterEach of a core per test; call it at the top of a describe (or file). */
export function useServiceCore(setup: ServiceCoreSetup = {}): ServiceCoreFixture {
  let t: ReturnType<typeof tempDir> | undefined;
  let core: Core | undefined;
  const net = new NetFixtures();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the service core's ${what} exists only inside a test`);
    return v;
  };
  beforeEach(async () => {
    t = tempDir();
    core = await createCore({ dataDir: t.dir, mode: 'browser', confFactory, storeBackend: 'conf', version: 't', extraKnownHosts: [], ...setup.options?.(t.dir) });
  });
  afterEach(async () => {
    const c = core;
    core = undefined;
    try {
      const uncoded = setup.checkLogCodes && c ? linesWithoutCode(c.service.log.query({ limit: LOG_QUERY_MAX_LIMIT })) : [];
      await c?.shutdown();
      await setup.afterShutdown?.();
      expect(uncoded).toEqual([]);
    } finally {
      await net.cleanup();
      t?.cleanup();
      t = undefined;
    }
  });
  return {
    get core() {
      return need(core, 'core');
    },
    net,
    get dir() {
      return need(t, 'temp dir').dir;
    },
    call: <T>(method: string, args?: unknown) => apiCall<T>(need(core, 'core'), method, args),
    refused: (method: string, args?: unknown) => apiRefusal(need(core, 'core'), method, args),
  };
}
