import Conf from 'conf';
import type { ConfFactory, ConfLike } from './conf-like';

/** Headless mode and tests: conf 15, the engine electron-store 11 is built on (same file format). */
export const confFactory: ConfFactory = ({ cwd, configName }) =>
  new Conf<Record<string, unknown>>({ cwd, configName, clearInvalidConfig: false }) as unknown as ConfLike;

/** A store that lives only in memory: `porthole run --profile` runs a file's rules without saving them. */
export const memoryConfFactory: ConfFactory = () => {
  const data = new Map<string, unknown>();
  return {
    path: '(memory)',
    get: (k) => data.get(k),
    set: (k, v) => void data.set(k, structuredClone(v)),
  };
};
