import { join } from 'node:path';
import type { LocalRelaySettings } from '../../src-shared/api/contract';
import { formatHostPort, isWildcardHost } from '../../src-shared/format/address';
import { type LocalRelayConfig, LocalRelayConfigSchema, type RelayServerStatus, TOKEN_TOO_SHORT, tokenTooShort } from '../../src-shared/model/relay';
import { said } from '../../src-shared/model/log-text';
import { EngineError } from '../engine/engine-error';
import { loadOrCreateRelayIdentity } from '../relay/relay-identity';
import { formatRanges, type RelayPolicy, weakTokenMessage } from '../relay/relay-policy';
import { RelayHost, type RelayWorkerStoppedError } from '../relay/relay-host';
import type { RuleStore } from '../store/rule-store';
import { type SecretStore, secretKey } from '../store/secret-store';
import { type KeyedLog, extraOf, lineInto, logLine } from './log-buffer';
import { RelayRouter } from './relay-router';
import { ServiceError } from './service-error';

export const DEFAULT_LOCAL_RELAY: LocalRelayConfig = { bind: { host: '127.0.0.1', port: 9015 }, publicHost: '127.0.0.1', tls: true, agents: [] };


/** `20000-20100, 8080` → ranges (the schema already checked the shape). */
export function parseRanges(text: string): Array<{ from: number; to: number }> {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [a, b] = p.split('-').map((x) => Number(x.trim()));
      return { from: Math.min(a!, b ?? a!), to: Math.max(a!, b ?? a!) };
    });
}

/** A relay thread that died is restarted after these waits (the n-th of a series, the last repeated)… */
const RESTART_DELAYS_MS = [1000, 2000, 5000];
/** …unless it died this often within the window: then it stays stopped until the person starts it. */
const CRASH_LOOP = { max: 3, windowMs: 60_000 };

/**
 * The relay server run inside the app (Relay view): its settings in the store, agent tokens in the
 * secret store, the certificate in the data dir; status pushed once a second while it runs. The relay
 * itself runs in a worker thread of its own (RelayHost), away from the app's big heap; if that thread
 * dies the relay shows as failed with the reason, its ports close, and it is restarted.
 */
export class LocalRelay {
  private server: RelayHost | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes: number[] = [];
  /** Counts stop() calls: a start or a restart that was on its way when one came gives way to it. */
  private stops = 0;
  private ticker: NodeJS.Timeout | undefined;
  private lastError: { code: string; message: string } | undefined;
  /** "Open on router" for the agent port and the public ports, following the server's status. */
  private readonly router: RelayRouter;
  private routerOption: LocalRelayConfig['router'];

  constructor(
    private readonly store: RuleStore,
    private readonly secrets: SecretStore,
    private readonly dataDir: string,
    private readonly emit: (s: RelayServerStatus) => void,
    private readonly log: KeyedLog,
    routerTimings: { discoveryTimeoutMs?: number; retryMs?: number } = {},
  ) {
    this.router = new RelayRouter({ ...routerTimings, journalDir: join(dataDir, 'router-mappings', 'relay'), log: (level, m, line) => this.log(level, m, extraOf(line)), onChange: () => this.emit(this.status()) });
  }

  /** Removes router mappings an earlier run left (Porthole killed while the relay ran); in the background. */
  sweepRouter(): Promise<void> {
    return this.router.sweep();
  }

  /** Sends the status, after the router mappings have followed it. */
  private publish(): void {
    if (this.server) this.router.sync(this.server.status(), this.routerOption);
    this.emit(this.status());
  }

  settings(): LocalRelaySettings {
    const config = this.store.localRelay() ?? DEFAULT_LOCAL_RELAY;
    return { config, withToken: config.agents.filter((a) => this.token(a.name) !== undefined).map((a) => a.name) };
  }

  /** Saves the settings (tokens: name → new token, '' deletes); a running relay restarts with them. */
  async configure(input: { config: unknown; tokens?: Record<string, string> }): Promise<LocalRelaySettings> {
    const config = LocalRelayConfigSchema.parse(input.config);
    const names = new Set<string>();
    for (const [i, a] of config.agents.entries()) {
      if (names.has(a.name)) throw new ServiceError('INVALID_INPUT', `Two agents are named "${a.name}"`, [{ path: `config.agents.${i}.name`, message: 'agent names must be unique' }]);
      names.add(a.name);
    }
    const tokens = Object.entries(input.tokens ?? {}).filter(([name]) => names.has(name));
    this.secrets.setMany(tokens.map(([name, token]) => [secretKey.localRelayAgentToken(name), token === '' ? undefined : token]));
    const stored = config.agents.map((a) => ({ ...a, hasToken: this.token(a.name) !== undefined }));
    this.store.setLocalRelay({ ...config, agents: stored });
    if (this.server) {
      await this.stop();
      await this.start();
    } else this.emit(this.status());
    return this.settings();
  }

  async start(): Promise<RelayServerStatus> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.server) return this.status();
    // A stop() while this start is on its way wins: what this start made is stopped again.
    const stops = this.stops;
    const { config } = this.settings();
    const missing = config.agents.filter((a) => this.token(a.name) === undefined).map((a) => a.name);
    if (missing.length > 0) {
      throw new ServiceError('INVALID_INPUT', `Set a token for ${missing.map((n) => `"${n}"`).join(', ')} before starting the relay — without one anyone could take that agent's ports`, [
        { path: 'tokens', message: 'every agent needs a token' },
      ]);
    }
    const weak = config.agents.filter((a) => tokenTooShort(this.token(a.name))).map((a) => a.name);
    if (weak.length > 0) {
      throw new ServiceError('INVALID_INPUT', `${weakTokenMessage(weak)} (Relay view → the agent's token)`, weak.map((n) => ({ path: `tokens.${n}`, message: TOKEN_TOO_SHORT })));
    }
    const policy: RelayPolicy = {
      bind: config.bind,
      tls: config.tls,
      publicHost: config.publicHost,
      agents: config.agents.map((a) => ({ name: a.name, token: this.token(a.name)!, ports: [], allowPorts: parseRanges(a.allowPorts) })),
    };
    const identity = config.tls ? await loadOrCreateRelayIdentity(this.dataDir) : undefined;
    const server = new RelayHost({ policy, ...(identity ? { identity } : {}), log: lineInto(this.log) });
    server.on('changed', () => this.publish());
    server.on('failed', (err) => void this.onFailed(server, err));
    try {
      const bound = await server.start();
      if (stops !== this.stops) {
        await server.stop();
        return this.status();
      }
      this.lastError = undefined;
      this.server = server;
      this.routerOption = config.router;
      const address = formatHostPort(bound.host, bound.port);
      if (config.tls) logLine(this.log, 'info', 'relayListeningTls', { address, fingerprint: identity!.fingerprint });
      else logLine(this.log, 'info', 'relayListeningPlain', { address });
      if (isWildcardHost(config.bind.host)) logLine(this.log, 'warn', 'relayAllInterfaces');
      for (const a of policy.agents) {
        const ports = formatRanges(a.allowPorts);
        if (ports) logLine(this.log, 'info', 'relayAgentMay', { agent: a.name, ports });
        else logLine(this.log, 'info', 'relayAgentMayNothing', { agent: a.name });
      }
    } catch (err) {
      const e = err instanceof EngineError ? err : new EngineError('INTERNAL', (err as Error).message);
      this.lastError = { code: e.code, message: e.message };
      logLine(this.log, 'error', 'relayCouldNotStart', { error: e.message });
      this.emit(this.status());
      return this.status();
    }
    this.ticker = setInterval(() => this.publish(), 1000);
    this.ticker.unref();
    this.publish();
    return this.status();
  }

  async stop(): Promise<RelayServerStatus> {
    this.stops++;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const s = this.server;
    this.server = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (s) {
      await s.stop();
      logLine(this.log, 'info', 'relayStopped');
    }
    // Its ports are closed: so are they on the router (the relay's Stop, a restart, Porthole quitting).
    await this.router.stop();
    this.emit(this.status());
    return this.status();
  }

  status(): RelayServerStatus {
    const router = this.router.status();
    if (this.server) return { ...this.server.status(), ...(router ? { router } : {}) };
    const { config } = this.settings();
    return {
      running: false,
      tls: config.tls,
      agents: config.agents.map((a) => ({ name: a.name, online: false, exposures: [], allowPorts: a.allowPorts, configuredPorts: 0 })),
      warnings: [],
      ...(this.lastError ? { error: this.lastError } : {}),
      ...(router ? { router } : {}),
    };
  }

  /** The status with the relay's counters of this instant (status() answers the last pushed ones). */
  async currentStatus(): Promise<RelayServerStatus> {
    await this.server?.currentStatus();
    return this.status();
  }

  async metricsText(): Promise<string | undefined> {
    return this.server?.metricsText();
  }

  /** The relay's worker thread while it runs (tests, diagnostics). */
  get threadId(): number | undefined {
    return this.server?.threadId;
  }

  /** Ends the relay's thread as a crash would (tests). */
  async killWorker(): Promise<void> {
    await this.server?.kill();
  }

  /** The relay's thread died: its ports are gone; say so, close them on the router, restart it. */
  private async onFailed(server: RelayHost, err: RelayWorkerStoppedError): Promise<void> {
    if (this.server !== server) return;
    this.server = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < CRASH_LOOP.windowMs), now];
    const final = this.crashes.length >= CRASH_LOOP.max;
    const wait = RESTART_DELAYS_MS[Math.min(this.crashes.length, RESTART_DELAYS_MS.length) - 1]!;
    const [message, line] = final
      ? said('relayThreadGaveUp', { error: err.message, times: this.crashes.length, window: CRASH_LOOP.windowMs / 1000 })
      : said('relayThreadRestarting', { error: err.message, seconds: wait / 1000 });
    this.lastError = { code: err.code, message };
    this.log('error', message, extraOf(line));
    const stops = this.stops;
    await this.router.stop();
    this.emit(this.status());
    // Stopped (the Stop button, quitting) while its router mappings were being closed: no restart.
    if (final || stops !== this.stops) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.server) void this.start();
    }, wait);
    this.restartTimer.unref();
  }

  private token(name: string): string | undefined {
    return this.secrets.get(secretKey.localRelayAgentToken(name));
  }
}
