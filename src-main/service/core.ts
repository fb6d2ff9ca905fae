import { platform } from 'node:os';
import { join } from 'node:path';
import type { AppInfo, HostMode } from '../../src-shared/api';
import type { LogEntry } from '../../src-shared/model/log';
import type { ApiHost } from '../api/api-host';
import { createApiHost } from '../api/handlers';
import { KnownHostsStore } from '../ssh/known-hosts';
import { SessionPool } from '../ssh/session-pool';
import type { ConfFactory } from '../store/conf-like';
import { RuleStore } from '../store/rule-store';
import { FileSecretStore, type SecretCodec, type SecretStore, fileOnlyCodec, secretKey } from '../store/secret-store';
import { SharedPool } from '../engine/shared-pool';
import { DataPlane } from '../dataplane/data-plane';
import type { RelayAgent } from '../relay/relay-agent';
import { HostKeyPrompts } from './host-key-prompts';
import { type ExportInput, exportRules } from './export-rules';
import type { ShellPrefsHost } from '../../src-shared/model/settings';
import { ImportService } from './import-service';
import { InspectorService } from './inspector-service';
import { SettingsService } from './settings-service';
import { TrafficHistory } from './traffic-history';
import { LocalRelay } from './local-relay';
import type { LogExtra } from './log-buffer';
import { RelayRegistry } from './relay-registry';
import { ServerRegistry } from './server-registry';
import { makeTunnelFactory } from './tunnel-factory';
import { RouterMappings } from '../router/router-mappings';
import { lanAddresses } from '../router/net-info';
import { RouterRules } from './router-rules';
import { TunnelService } from './tunnel-service';

export interface CoreOptions {
  dataDir: string;
  mode: HostMode;
  confFactory: ConfFactory;
  /** `electron-store` or `conf`, shown in the UI. */
  storeBackend: string;
  /** How secrets are protected: safeStorage in the desktop app; the file mode alone in headless mode. */
  secretCodec?: SecretCodec;
  /** Secrets kept elsewhere than the data dir's secrets.json (`porthole run --profile`: in memory only). */
  secretStore?: SecretStore;
  version: string;
  /** Tick length of the stats event; 1000 ms unless a test asks otherwise. */
  statsIntervalMs?: number;
  echoLog?: (line: LogEntry) => void;
  /** Read-only known_hosts files to trust besides Porthole's own; default ~/.ssh/known_hosts. */
  extraKnownHosts?: string[];
  /** The desktop shell's switches (start at login, …); absent in browser mode. */
  shellPrefs?: ShellPrefsHost;
  /** Load and edit the saved rules without running any (`porthole import`). */
  dormant?: boolean;
  /** How long a host-key prompt waits for an answer before it counts as a rejection. */
  hostKeyPromptTimeoutMs?: number;
  /** Where TCP/UDP/SOCKS listeners run; default: a data plane of this core's own, closed at shutdown. */
  dataPlane?: DataPlane;
}

export interface Core {
  api: ApiHost;
  service: TunnelService;
  /** Recorded HTTP exchanges of the mappings with "Inspect HTTP" on (also served to `porthole inspect`). */
  inspector: InspectorService;
  servers: ServerRegistry;
  info: AppInfo;
  /** Reconnects waiting SSH sessions now (resume from sleep, network back); returns how many. */
  reconnectAll(): number;
  imports: ImportService;
  /** The worker thread that moves the bytes of tcp-forward, udp-forward and socks rules and relay agents' data connections. */
  dataPlane: DataPlane;
  /** The in-app relay server (Relay view), which runs in a worker thread of its own. */
  localRelay: LocalRelay;
  /** Stops every rule gracefully (closing listeners, connections and SSH sessions) and flushes the log. */
  shutdown(): Promise<void>;
}

/** Builds what both composition roots (Electron main, headless CLI) share: store → service → API. */
export async function createCore(opts: CoreOptions): Promise<Core> {
  const store = RuleStore.open({ dataDir: opts.dataDir, confFactory: opts.confFactory });
  const secrets = opts.secretStore ?? new FileSecretStore(opts.dataDir, opts.secretCodec ?? fileOnlyCodec);
  const knownHosts = new KnownHostsStore({
    appFile: join(opts.dataDir, 'known_hosts'),
    ...(opts.extraKnownHosts ? { extraFiles: opts.extraKnownHosts } : {}),
  });
  // Created below; the closures handed out before that reach them through here.
  const late: { service?: TunnelService; servers?: ServerRegistry } = {};
  const prompts = new HostKeyPrompts((p) => late.service?.emit('host-key-prompt', p), opts.hostKeyPromptTimeoutMs);
  const pool = new SessionPool((serverId) => {
    const registry = late.servers!;
    const server = registry.require(serverId);
    return {
      server,
      jump: registry.jumpChain(server),
      secrets: ({ server: s, kind }) => registry.loginSecret(s, kind),
      knownHosts,
      prompt: (p) => prompts.ask(p),
    };
  });
  const servers = new ServerRegistry(
    store,
    secrets,
    () => pool,
    () => late.service?.rules() ?? [],
    () => late.service?.emit('servers-changed', servers.list()),
  );
  late.servers = servers;
  const relays: RelayRegistry = new RelayRegistry(
    store,
    secrets,
    (): SharedPool<RelayAgent> => relayPool,
    () => late.service?.rules() ?? [],
    () => late.service?.emit('relays-changed', relays.list()),
    `porthole ${opts.version} (${platform()})`,
    (level: 'info' | 'warn' | 'error', m: string, extra: LogExtra) => void late.service?.log.add(level, m, extra),
  );
  const relayPool: SharedPool<RelayAgent> = new SharedPool<RelayAgent>((id): RelayAgent => relays.makeAgent(id, dataPlane));
  const inspector = new InspectorService();
  const dataPlane = opts.dataPlane ?? new DataPlane();
  const factory = makeTunnelFactory({ pool, socksPassword: (ruleId) => secrets.get(secretKey.socksPassword(ruleId)) }, { pool: relayPool }, dataPlane, inspector);
  const router = new RouterRules(
    new RouterMappings({
      journalDir: join(opts.dataDir, 'router-mappings'),
      log: (level, m, ruleId, _code, line) => late.service?.log.said(level, m, line, { ruleId }),
      onChange: (ruleId) => late.service?.routerChanged(ruleId),
    }),
  );
  const service = new TunnelService({ store, factory, servers, relays, statsIntervalMs: opts.statsIntervalMs ?? store.settings().statsIntervalMs, echoLog: opts.echoLog, dormant: opts.dormant, router });
  late.service = service;
  const localRelay = new LocalRelay(store, secrets, opts.dataDir, (s) => service.emit('relay-server', s), (level: 'info' | 'warn' | 'error', m: string, extra: LogExtra) => void service.log.add(level, m, extra));
  const info: AppInfo = {
    name: 'Porthole',
    version: opts.version,
    mode: opts.mode,
    dataDir: opts.dataDir,
    storeBackend: opts.storeBackend,
    secretsBackend: secrets.backend,
    platform: platform(),
    ...(store.recovery ? { storeRecovery: store.recovery } : {}),
  };
  const imports = new ImportService(service, servers, relays, secrets);
  const exports = (req: ExportInput) => exportRules(store, secrets, req);
  const traffic = new TrafficHistory(opts.dataDir);
  service.on('stats', (b) => traffic.observe(b));
  inspector.on('event', (e) => service.emit('inspector', e));
  service.on('rules-changed', (rules) => {
    const ids = new Set(rules.map((r) => r.id));
    inspector.retain(ids);
    for (const t of traffic.summary()) if (!ids.has(t.ruleId)) traffic.forget(t.ruleId);
  });
  const settings = new SettingsService(store, opts.shellPrefs, (s) => service.setStatsInterval(s.statsIntervalMs), (v) => service.emit('settings-changed', v));
  const api = createApiHost({ service, secrets, servers, relays, localRelay, imports, exports, settings, traffic, hostKeys: prompts, inspector, info: () => ({ ...info, secretsBackend: secrets.backend, lanAddresses: lanAddresses().map((a) => a.address) }) });
  if (store.recovery) {
    service.log.line('error', 'storeRecovered', { reason: store.recovery.reason, movedTo: store.recovery.movedTo });
  }
  await service.start();
  // Mappings an earlier run left on the router for rules (and the in-app relay) that are not mapping now.
  if (!opts.dormant) {
    void router.mappings.sweep();
    void localRelay.sweepRouter();
  }
  let closing: Promise<void> | undefined;
  const svc = service;
  return {
    api,
    service,
    inspector,
    servers,
    info,
    imports,
    dataPlane,
    localRelay,
    reconnectAll: () => {
      const n = pool.reconnectAll() + relayPool.reconnectAll();
      if (n > 0) service.log.line('info', 'networkReconnecting', { count: n });
      return n;
    },
    shutdown: () =>
      (closing ??= (async () => {
        prompts.dispose();
        await svc.shutdown();
        inspector.dispose();
        traffic.flush();
        await Promise.all([pool.closeAll(), relayPool.closeAll(), localRelay.stop()]);
        if (!opts.dataPlane) await dataPlane.close();
      })()),
  };
}
