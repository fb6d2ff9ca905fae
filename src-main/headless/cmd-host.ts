import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHostPort } from '../../src-shared/format/address';
import type { LogEntry } from '../../src-shared/model/log';
import { type Core, createCore } from '../service/core';
import { confFactory, memoryConfFactory } from '../store/conf-factories';
import { resolveDataDir } from '../store/data-dir';
import { MemorySecretStore } from '../store/memory-secret-store';
import { DataDirLockedError, type DataDirLock, acquireDataDirLock } from '../store/data-dir-lock';
import { StoreOpenError } from '../store/rule-store';
import { ServiceError } from '../service/service-error';
import { UsageError, parseArgs } from './args';
import { IMPORT_WHAT, readImportText } from '../profiles/import-bundle';
import { readProfileText } from '../profiles/profile-file';
import { untilSignal } from './signals';
import { type PublicHost, parsePublicHost } from './ui-hosts';
import { type ControlServer, startCoreControl } from '../api/control-socket';
import { type UiServer, type UiTlsMode, startUiServer } from './ui-server';
import { VERSION } from './version';

/**
 * The built renderer: out/renderer beside out/main. This module is a chunk of the main build
 * (out/main/chunks/) when the CLI loads it on demand, or part of an entry (out/main/): both are tried.
 */
function rendererDir(): string {
  if (process.env.PORTHOLE_RENDERER_DIR) return process.env.PORTHOLE_RENDERER_DIR;
  const inChunk = basename(dirname(fileURLToPath(import.meta.url))) === 'chunks';
  return fileURLToPath(new URL(inChunk ? '../../renderer/' : '../renderer/', import.meta.url));
}

/** `--listen HOST:PORT` for the UI; unlike a mapping, port 0 (any free port) is allowed and is the default. */
export function parseUiListen(value: string | undefined): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: 0 };
  const anyPort = /:0$/.test(value);
  const parsed = parseHostPort(anyPort ? value.replace(/:0$/, ':1') : value, '127.0.0.1');
  if (!parsed.ok) throw new UsageError(`--listen: ${parsed.error}`);
  return { host: parsed.value.host, port: anyPort ? 0 : parsed.value.port };
}

/** `--public-host` values, each repeatable and comma-separated. */
export function parsePublicHosts(values: readonly string[]): PublicHost[] {
  const out: PublicHost[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    if (item.trim() === '') continue;
    try {
      out.push(parsePublicHost(item));
    } catch (err) {
      throw new UsageError(`--public-host: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

/** How long `porthole run --profile` waits for its mappings' first start attempts before judging them. */
const SETTLE_MS = 30_000;

/** Resolves once none of `ids` is still in its first start attempt (or after `ms`). */
function untilSettled(core: Core, ids: readonly string[], ms: number): Promise<void> {
  const pending = () => core.service.list().some((e) => ids.includes(e.rule.id) && e.status.state === 'starting');
  if (!pending()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      core.service.off('rule-state', check);
      resolve();
    };
    const check = () => {
      if (!pending()) done();
    };
    const timer = setTimeout(done, ms);
    core.service.on('rule-state', check);
  });
}

/** `porthole run` and `porthole ui`: the headless host, with or without the browser UI. */
export async function cmdHost(kind: 'run' | 'ui', argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    kind === 'ui'
      ? { values: ['data-dir', 'listen', 'public-host', 'import'], booleans: ['insecure-http', 'tls'] }
      : { values: ['data-dir', 'profile'], booleans: [] },
  );
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const { host: uiHost, port: uiPort } = parseUiListen(args.values.listen);
  const publicHosts = parsePublicHosts(args.lists['public-host'] ?? []);
  if (args.booleans.has('insecure-http') && args.booleans.has('tls')) throw new UsageError('--insecure-http and --tls contradict each other: give one');
  const tlsMode: UiTlsMode = args.booleans.has('tls') ? 'on' : args.booleans.has('insecure-http') ? 'insecure-http' : 'auto';
  const profile = args.values.profile;
  // Any importable profile (bad input exits 2 with file:line before anything starts).
  const profileText = profile !== undefined ? readProfileText(profile, IMPORT_WHAT) : undefined;
  // `porthole ui --import FILE`: the import preview of FILE, waiting for the first window.
  const importPath = args.values.import;
  const importText = importPath !== undefined ? readProfileText(importPath, IMPORT_WHAT) : undefined;
  // The user named this file by its path: an ssh_config's Includes are followed.
  const drafts = profile !== undefined ? readImportText(profileText!, profile, { followIncludes: true }) : undefined;
  for (const w of drafts?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const dataDir = resolveDataDir(args.values['data-dir']);
  const ui = kind === 'ui' ? rendererDir() : undefined;
  if (ui && !existsSync(`${ui}/index.html`)) {
    process.stderr.write(`porthole ui: the UI is not built (${ui} has no index.html) — run npm run build\n`);
    return 1;
  }

  let lock: DataDirLock | undefined;
  if (!drafts) {
    try {
      lock = acquireDataDirLock(dataDir, `porthole ${kind}`);
    } catch (err) {
      if (err instanceof DataDirLockedError) {
        process.stderr.write(`porthole ${kind}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  let core: Core | undefined;
  let server: UiServer | undefined;
  let control: ControlServer | undefined;
  let flushEarly = (): void => undefined;
  try {
    const names = new Map<string, string>();
    const write = (e: LogEntry) => {
      // The name the line was written with: a rule created by an import is logged before the names here know it.
      const who = e.ruleId ? ` [${e.ruleName ?? names.get(e.ruleId) ?? e.ruleId}]` : '';
      const out = e.level === 'error' || e.level === 'warn' ? process.stderr : process.stdout;
      out.write(`${new Date(e.ts).toISOString()} ${e.level.toUpperCase().padEnd(5)}${who} ${e.message}\n`);
    };
    // Saved rules start inside createCore, before their names are known here: hold those lines until
    // then, so a rule that fails at start is named, not shown by its id.
    let early: LogEntry[] | undefined = [];
    const echo = (e: LogEntry) => {
      if (e.level === 'debug') return;
      if (early) early.push(e);
      else write(e);
    };
    flushEarly = () => {
      const held = early ?? [];
      early = undefined;
      for (const e of held) write(e);
    };
    core = await createCore({
      dataDir,
      mode: 'browser',
      confFactory: drafts ? memoryConfFactory : confFactory,
      storeBackend: drafts ? 'memory (profile)' : 'conf',
      // A profile's rules live in memory for this run, and so do its passwords and tokens.
      ...(drafts ? { secretStore: new MemorySecretStore() } : {}),
      version: VERSION,
      echoLog: echo,
      // `porthole run` has nobody to ask about an unknown host key: refuse at once (and say how to fix it).
      ...(kind === 'run' ? { hostKeyPromptTimeoutMs: 0 } : {}),
    });
    if (kind === 'run') {
      core.service.on('host-key-prompt', (p) =>
        process.stderr.write(
          `porthole run: unknown host key for ${p.host}:${p.port} (${p.keyType} ${p.fingerprint}) — accept it once in \`porthole ui\`, ` +
            'add it to ~/.ssh/known_hosts, or set StrictHostKeyChecking accept-new for that host\n',
        ),
      );
    }
    const refreshNames = () => core?.service.rules().forEach((r) => names.set(r.id, r.name));
    refreshNames();
    core.service.on('rules-changed', refreshNames);
    flushEarly();
    // `porthole inspect` on this data dir follows this host's recorded HTTP exchanges through it.
    control = await startCoreControl(dataDir, kind, `porthole ${kind}`, core, (m) => process.stderr.write(`${m}\n`));
    if (profile !== undefined && profileText !== undefined) {
      // The profile's servers, relays and rules, through the same importer as the app, kept in memory
      // only; all its rules run (the user asked to run this file), except a SOCKS server whose user
      // name has no password, which must not run open. Only a path on this command line gets here:
      // nothing from a porthole:// link or the API can.
      const preview = core.imports.previewFrom([{ name: profile, text: profileText, origin: 'file' }]);
      const outcome = await core.imports.apply({ previewId: preview.id, decisions: [] }).catch((err: unknown) => {
        if (err instanceof ServiceError) throw new UsageError(`${profile}: ${err.message}`, { cause: err });
        throw err;
      });
      const service = core.service;
      const runnable = outcome.ruleIds.filter((id) => {
        const rule = service.entryOf(id).rule;
        return !((rule.type === 'socks' || rule.type === 'ssh-dynamic') && rule.socks.username && !rule.socks.hasPassword);
      });
      // One write and one rules-changed for the whole file (one per rule costs O(n²) for n rules).
      await core.service.setEnabledMany(runnable, true);
    }
    if (ui) {
      if (importPath !== undefined && importText !== undefined) {
        // Kept by the host until a window claims it (imports.claim); nothing is imported before
        // the person reviews it there.
        const offered = core.imports.offer([{ name: basename(importPath), text: importText, origin: 'file' }]);
        process.stdout.write(`Import preview of ${importPath} (${offered.items.length} items) waits for the first window\n`);
      }
      server = await startUiServer({
        api: core.api,
        host: uiHost,
        port: uiPort,
        rendererDir: ui,
        dataDir,
        tls: tlsMode,
        publicHosts,
        log: (line) => process.stderr.write(`${new Date().toISOString()} WARN  porthole ui: ${line}\n`),
      });
      for (const n of server.notices) (n.level === 'warn' ? process.stderr : process.stdout).write(`${n.text}\n`);
      process.stdout.write(`Porthole UI: ${server.url}\n`);
    }
    if (kind === 'run' && profile !== undefined) {
      // `porthole run --profile` that could start nothing has failed: exit 1 rather than wait idle.
      const ids = core.service.list().map((e) => e.rule.id);
      await untilSettled(core, ids, SETTLE_MS);
      const started = core.service.list().filter((e) => e.status.state === 'running');
      if (started.length === 0) {
        process.stderr.write(
          ids.length === 0
            ? `porthole run: ${profile} has no mappings to run\n`
            : `porthole run: none of the ${ids.length} mapping${ids.length === 1 ? '' : 's'} of ${profile} could start — see the error${ids.length === 1 ? '' : 's'} above\n`,
        );
        return 1;
      }
    }
    const entries = core.service.list();
    const running = entries.filter((e) => e.status.state === 'running').length;
    const failed = entries.filter((e) => e.status.state === 'failed').length;
    const failedNote = failed > 0 ? `, ${failed} failed (see the errors above)` : '';
    process.stdout.write(`Porthole ${VERSION} (${kind}) — data dir ${dataDir}; ${entries.length} mappings, ${running} running${failedNote}\n`);
    await untilSignal();
    return 0;
  } catch (err) {
    if (err instanceof StoreOpenError) {
      process.stderr.write(`porthole ${kind}: ${err.message}\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`porthole ${kind}: ${uiHost}:${uiPort} is already in use — choose another with --listen HOST:PORT\n`);
      return 1;
    }
    throw err;
  } finally {
    flushEarly();
    await control?.close();
    await server?.close();
    await core?.shutdown();
    lock?.release();
  }
}
