import { writeFileSync } from 'node:fs';
import { formatHostPort } from '../../src-shared/format/address';
import type { RelayEntry } from '../../src-shared/model/relay';
import { relayConfigFor } from '../profiles/relay-config-export';
import { IMPORT_WHAT, type ImportBundle, readImportText } from '../profiles/import-bundle';
import { readProfileText } from '../profiles/profile-file';
import { describeDraft } from '../service/import-plan';
import { type Core, createCore } from '../service/core';
import { ServiceError } from '../service/service-error';
import { confFactory } from '../store/conf-factories';
import { resolveDataDir } from '../store/data-dir';
import { type DataDirLock, DataDirLockedError, acquireDataDirLock } from '../store/data-dir-lock';
import { UsageError, parseArgs } from './args';
import { VERSION } from './version';

/** What `--json` prints: the parsed profile, secrets reduced to whether one is there. */
export function importJson(b: ImportBundle): unknown {
  return {
    format: b.format,
    rules: b.rules.map(({ socksPassword, ...r }) => ({ ...r, ...(socksPassword !== undefined ? { hasSocksPassword: true } : {}) })),
    servers: b.servers.map(({ password, passphrase, ...s }) => ({ ...s, ...(password !== undefined ? { hasPassword: true } : {}), ...(passphrase !== undefined ? { hasPassphrase: true } : {}) })),
    relays: b.relays.map(({ token, ...r }) => ({ ...r, hasToken: token !== undefined })),
    warnings: b.warnings,
  };
}

/** Writes the relay config (it holds a token: 0600), never over an existing file. */
function writeRelayConfig(file: string, yaml: string): void {
  try {
    writeFileSync(file, yaml, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--relay-config ${file}: ${code === 'EEXIST' ? 'the file exists — choose another name or remove it' : `cannot write it (${code ?? (err as Error).message})`}`);
  }
}

/** The relay just saved from `bundle` gets the token the written relay config holds. */
async function giveRelayToken(core: Core, bundle: ImportBundle, ref: string, token: string): Promise<void> {
  const draft = bundle.relays.find((r) => r.ref === ref);
  const list = await core.api.handle('relays.list', undefined);
  const saved = list.ok ? (list.value as RelayEntry[]).find((e) => draft && e.relay.host === draft.host && e.relay.port === draft.port && e.relay.agentName === draft.agentName) : undefined;
  if (!saved) throw new Error('the imported relay was not found after saving it');
  const { id, ...relay } = saved.relay;
  const r = await core.api.handle('relays.update', { id, relay: { ...relay, hasToken: true }, token });
  if (!r.ok) throw new UsageError(`cannot give the imported relay its new token: ${r.error.message}`);
}

/**
 * `porthole import FILE [--enable] [--dry-run] [--json] [--relay-config OUT]` — any supported profile into the saved
 * mappings, switched off unless --enable. FILE is named by the user, so an ssh_config's Includes are
 * followed (text from anywhere else never is).
 */
export async function cmdImport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['data-dir', 'relay-config'], booleans: ['dry-run', 'json', 'enable'] });
  if (args.positionals.length !== 1) throw new UsageError('expected one FILE, e.g. porthole import ~/.ssh/config');
  const file = args.positionals[0]!;
  // Bad input exits 2 with file:line (ProfileError), before the data dir is touched.
  const text = readProfileText(file, IMPORT_WHAT);
  const bundle = readImportText(text, file, { followIncludes: true });
  const json = args.booleans.has('json');
  const dry = args.booleans.has('dry-run');
  const enable = args.booleans.has('enable');
  // `--relay-config OUT`: the Porthole relay config that replaces frps / rathole's server (made before
  // anything is saved; written once the data dir is ours, so a refused import leaves no file behind).
  const relayOut = args.values['relay-config'];
  const relayConfig = relayOut !== undefined ? relayConfigFor(bundle) : undefined;
  if (relayOut !== undefined && relayConfig && dry) writeRelayConfig(relayOut, relayConfig.yaml);
  if (json && dry) {
    process.stdout.write(`${JSON.stringify(importJson(bundle), null, 2)}\n`);
    return 0;
  }
  // The lock before the plan: a plan printed in full and then "cannot import" read like a success at
  // first (issue 18). A dry run changes nothing and needs no lock.
  const dataDir = resolveDataDir(args.values['data-dir']);
  let lock: DataDirLock | undefined;
  if (!dry) {
    try {
      lock = acquireDataDirLock(dataDir, 'porthole import');
    } catch (err) {
      if (err instanceof DataDirLockedError) {
        // Not the lock's own advice (--data-dir): importing elsewhere is not what the person wants.
        const { command, pid } = err.holder;
        process.stderr.write(`porthole import: nothing was imported — the data dir ${dataDir} is in use by ${command} (pid ${pid}); drag ${file} into its window to import it there, or stop it and run porthole import again\n`);
        return 1;
      }
      throw err;
    }
  }
  if (relayOut !== undefined && relayConfig && !dry) {
    try {
      writeRelayConfig(relayOut, relayConfig.yaml);
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  if (!json) {
    process.stdout.write(`${file}: ${bundle.format} — ${bundle.rules.length} mapping${bundle.rules.length === 1 ? '' : 's'}, ${bundle.servers.length} SSH server${bundle.servers.length === 1 ? '' : 's'}, ${bundle.relays.length} relay${bundle.relays.length === 1 ? '' : 's'}\n`);
    for (const s of bundle.servers) process.stdout.write(`  server  ${s.name}: ${s.user}@${formatHostPort(s.host, s.port)}\n`);
    for (const r of bundle.relays) process.stdout.write(`  relay   ${r.name}: ${formatHostPort(r.host, r.port)} as "${r.agentName}"${r.token !== undefined ? ' (token included)' : ''}\n`);
    for (const r of bundle.rules) process.stdout.write(`  mapping ${r.name}: ${describeDraft(r)}${r.enabled ? '' : ' (off)'}\n`);
    for (const w of bundle.warnings) process.stderr.write(`warning: ${w}\n`);
  }
  if (relayOut !== undefined && relayConfig) {
    for (const n of relayConfig.notes) process.stderr.write(`note: ${n}\n`);
    const tokenNote = relayConfig.generated && relayConfig.relayRef !== undefined ? (dry ? ' — enter its token in the relay\'s settings here too (dry run: nothing was saved)' : '; the imported relay uses its new token') : '';
    process.stderr.write(`wrote ${relayOut}: run \`porthole relay --config ${relayOut}\` on the server${tokenNote}\n`);
  }
  if (!lock) {
    process.stdout.write('dry run: nothing was saved\n');
    return 0;
  }
  try {
    const core = await createCore({ dataDir, mode: 'browser', confFactory, storeBackend: 'conf', version: VERSION, dormant: true });
    try {
      const preview = core.imports.previewFrom([{ name: file, text, origin: 'file' }]);
      const outcome = await core.imports.apply({ previewId: preview.id, decisions: [], start: enable }).catch((err: unknown) => {
        // All or nothing: what the file asks for cannot all be saved (two mappings on one port…).
        if (err instanceof ServiceError) throw new UsageError(`${file}: ${err.message} — nothing was saved`, { cause: err });
        throw err;
      });
      if (relayConfig?.generated && relayConfig.relayRef !== undefined) await giveRelayToken(core, bundle, relayConfig.relayRef, relayConfig.token);
      const conflicts = preview.items.filter((i) => i.conflicts.length > 0);
      if (json) process.stdout.write(`${JSON.stringify({ ...(importJson(bundle) as object), outcome, conflicts }, null, 2)}\n`);
      else {
        for (const i of conflicts) process.stdout.write(`  ${i.action === 'rename' ? `renamed to "${i.renameTo}"` : i.action === 'reuse' ? 'reused the saved one' : 'skipped'}: ${i.name} — ${i.conflicts.map((c) => c.message).join('; ')}\n`);
        for (const i of enable ? preview.items : []) {
          if (i.kind === 'rule' && i.offLoopback && i.startsOn && i.action !== 'skip') {
            process.stderr.write(`warning: switched on "${i.name}", which listens on ${i.listenAt} — reachable from other machines\n`);
          }
        }
        const n = outcome.ruleIds.length;
        const state = n === 0 ? '' : enable ? `; switched on ${outcome.startedIds.length} of them` : `; ${n === 1 ? 'it is switched off — switch it' : 'they are switched off — switch them'} on in Porthole, or import with --enable`;
        process.stdout.write(
          `saved ${outcome.rules} mapping${outcome.rules === 1 ? '' : 's'}, ${outcome.servers} server${outcome.servers === 1 ? '' : 's'}, ${outcome.relays} relay${outcome.relays === 1 ? '' : 's'} to ${dataDir}${outcome.skipped ? ` (${outcome.skipped} skipped)` : ''}${state}\n`,
        );
      }
    } finally {
      await core.shutdown();
    }
  } finally {
    lock.release();
  }
  return 0;
}

