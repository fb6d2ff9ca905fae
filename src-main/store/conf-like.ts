// The slice of the Conf / electron-store API the rule store uses. electron-store 11 is a subclass of
// conf 15, so the desktop app passes an ElectronStore and headless mode passes a Conf: one schema, one
// file format, one data dir shared by the GUI and the CLI.

export interface ConfLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  readonly path: string;
}

export interface ConfFactoryOptions {
  /** Absolute data dir. */
  cwd: string;
  /** File name without extension: the store lives in `<cwd>/<configName>.json`. */
  configName: string;
}

export type ConfFactory = (opts: ConfFactoryOptions) => ConfLike;
