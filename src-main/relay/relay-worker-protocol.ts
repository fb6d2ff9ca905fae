import type { LogLine } from '../../src-shared/model/log-text';
import type { RelayServerOptions } from './relay-server';
import type { RelayServerStatus } from '../../src-shared/model/relay';

// The messages between RelayHost (main thread) and the relay's worker thread (relay-worker-main.ts).
// Everything is structured-clone data; relay-worker-checks.ts validates each side's input.

/** Bumped whenever a message changes shape: a worker bundle of another build refuses to start. */
export const RELAY_WORKER_PROTOCOL = 1;

/** RelayServerOptions without the log callback: what crosses to the worker as workerData. */
export type RelayWorkerOptions = Omit<RelayServerOptions, 'log'>;

export interface RelayWorkerData {
  protocol: number;
  options: RelayWorkerOptions;
  /** The status snapshot is pushed this often while the relay runs, so byte counters move. */
  statusIntervalMs: number;
}

export type RelayWorkerRequest =
  | { op: 'start'; rid: number }
  | { op: 'stop'; rid: number }
  | { op: 'status'; rid: number }
  | { op: 'metrics'; rid: number };

export type RelayWorkerMessage =
  | { t: 'ready'; protocol: number }
  | { t: 'reply'; rid: number; ok: true; value: unknown }
  | { t: 'reply'; rid: number; ok: false; error: { code: string; message: string } }
  /** changed: the server emitted 'changed' (agents, ports); false for the periodic push. */
  | { t: 'status'; status: RelayServerStatus; changed: boolean }
  /** One RelayLog call: its level, English message and the line's code and fields. */
  | { t: 'log'; level: 'info' | 'warn' | 'error'; message: string; line: LogLine };
