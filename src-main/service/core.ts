// Placeholder signature; implemented in the next commit.
import type { AppInfo, HostMode } from '../../src-shared/api';
import type { ApiHost } from '../api/api-host';
import type { ConfFactory } from '../store/conf-like';

export interface CoreOptions {
  dataDir: string;
  mode: HostMode;
  confFactory: ConfFactory;
  /** `electron-store` or `conf`, shown in the UI. */
  storeBackend: string;
  version: string;
  /** Tick length of the stats event; 1000 ms unless a test asks otherwise. */
  statsIntervalMs?: number;
}

export interface Core {
  api: ApiHost;
  info: AppInfo;
  /** Stops every rule gracefully (closing listeners and connections) and flushes the store. */
  shutdown(): Promise<void>;
}

export declare function createCore(opts: CoreOptions): Promise<Core>;
