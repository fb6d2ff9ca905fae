import { formatHostPort } from '../../src-shared/format/address';
import { IMPORT_WHAT, type ImportBundle, readImportText } from '../profiles/import-bundle';
import { readProfileText } from '../profiles/profile-file';
import { describeDraft } from '../service/import-service';
import { createCore } from '../service/core';
import { ServiceError } from '../service/service-error';
import { confFactory } from '../store/conf-factories';
import { resolveDataDir } from '../store/data-dir';
import { DataDirLockedError, acquireDataDirLock } from '../store/data-dir-lock';
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

/**
 * `porthole import FILE [--enable] [--dry-run] [--json]` — any supported profile into the saved
 * mappings, switched off unless --enable. FILE is named by the user, so an ssh_config's Includes are
 * followed (text from anywhere else never is).
 */
export async function cmdImport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['data-dir'], booleans: ['dry-run', 'json', 'enable'] });
  if (args.positionals.length !== 1) throw new UsageError('expected one FILE, e.g. porthole import ~/.ssh/config');
  const file = args.positionals[0]!;
  // Bad input exits 2 with file:line (ProfileError), before the data dir is touched.
  const text = readProfileText(file, IMPORT_WHAT);
  const bundle = readImportText(text, file, { followIncludes: true });
  const json = args.booleans.has('json');
  const dry = args.booleans.has('dry-run');
  const enable = args.booleans.has('enable');
  if (json && dry) {
    process.stdout.write(`${JSON.stringify(importJson(bundle), null, 2)}\n`);
    return 0;
  }
  if (!json) {
    process.stdout.write(`${file}: ${bundle.format} — ${bundle.rules.length} mapping${bundle.rules.length === 1 ? '' : 's'}, ${bundle.servers.length} SSH server${bundle.servers.length === 1 ? '' : 's'}, ${bundle.relays.length} relay${bundle.relays.length === 1 ? '' : 's'}\n`);
    for (const s of bundle.servers) process.stdout.write(`  server  ${s.name}: ${s.user}@${formatHostPort(s.host, s.port)}\n`);
    for (const r of bundle.relays) process.stdout.write(`  relay   ${r.name}: ${formatHostPort(r.host, r.port)} as "${r.agentName}"${r.token !== undefined ? ' (token included)' : ''}\n`);
    for (const r of bundle.rules) process.stdout.write(`  mapping ${r.name}: ${describeDraft(r)}${r.enabled ? '' : ' (off)'}\n`);
    for (const w of bundle.warnings) process.stderr.write(`warning: ${w}\n`);
  }
  if (dry) {
    process.stdout.write('dry run: nothing was saved\n');
    return 0;
  }
  const dataDir = resolveDataDir(args.values['data-dir']);
  let lock;
  try {
    lock = acquireDataDirLock(dataDir, 'porthole import');
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      // Not the lock's own advice (--data-dir): importing elsewhere is not what the person wants.
      const { command, pid } = err.holder;
      process.stderr.write(`porthole import: the data dir ${dataDir} is in use by ${command} (pid ${pid}) — drag ${file} into its window to import it there, or stop it and run porthole import again\n`);
      return 1;
    }
    throw err;
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

