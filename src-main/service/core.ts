import { platform } from 'node:os';
import type { AppInfo, HostMode } from '../../src-shared/api';
import type { LogEntry } from '../../src-shared/model/log';
import type { ApiHost } from '../api/api-host';
import { createApiHost } from '../api/handlers';
import type { ConfFactory } from '../store/conf-like';
import { RuleStore } from '../store/rule-store';
import { TunnelService } from './tunnel-service';

export interface CoreOptions {
  dataDir: string;
  mode: HostMode;
  confFactory: ConfFactory;
  /** `electron-store` or `conf`, shown in the UI. */
  storeBackend: string;
  version: string;
  /** Tick length of the stats event; 1000 ms unless a test asks otherwise. */
  statsIntervalMs?: number;
  echoLog?: (line: LogEntry) => void;
}

export interface Core {
  api: ApiHost;
  service: TunnelService;
  info: AppInfo;
  /** Stops every rule gracefully (closing listeners and connections) and flushes the log. */
  shutdown(): Promise<void>;
}

/** Builds what both composition roots (Electron main, headless CLI) share: store → service → API. */
export async function createCore(opts: CoreOptions): Promise<Core> {
  const store = RuleStore.open({ dataDir: opts.dataDir, confFactory: opts.confFactory });
  const service = new TunnelService({ store, statsIntervalMs: opts.statsIntervalMs, echoLog: opts.echoLog });
  const info: AppInfo = {
    name: 'Porthole',
    version: opts.version,
    mode: opts.mode,
    dataDir: opts.dataDir,
    storeBackend: opts.storeBackend,
    platform: platform(),
    ...(store.recovery ? { storeRecovery: store.recovery } : {}),
  };
  const api = createApiHost(service, () => info);
  if (store.recovery) {
    service.log.add('error', `The saved mappings file was unreadable (${store.recovery.reason}); it was kept as ${store.recovery.movedTo}`);
  }
  await service.start();
  let closing: Promise<void> | undefined;
  return {
    api,
    service,
    info,
    shutdown: () => (closing ??= service.shutdown()),
  };
}
