import type { z } from 'zod';
import type { ExportOutput } from '../../src-shared/model/import';
import type { ExportInputSchema } from '../../src-shared/model/import';
import { buildExport } from '../profiles/export-profile';
import type { RuleStore } from '../store/rule-store';
import { type SecretStore, secretKey } from '../store/secret-store';
import { ServiceError } from './service-error';

export type ExportInput = z.output<typeof ExportInputSchema>;

/** The selected rules (by id and/or group; all when neither is given) as a file to share or keep. */
export function exportRules(store: RuleStore, secrets: SecretStore, req: ExportInput): ExportOutput {
  const all = store.list();
  const byId = new Set(req.ruleIds ?? []);
  const byGroup = new Set(req.groups ?? []);
  const everything = req.ruleIds === undefined && req.groups === undefined;
  const rules = all.filter((r) => everything || byId.has(r.id) || (r.group !== undefined && byGroup.has(r.group)));
  const missing = [...byId].filter((id) => !all.some((r) => r.id === id));
  if (missing.length > 0) throw new ServiceError('NOT_FOUND', `No mapping with id ${missing[0]} — it may have been deleted`);
  if (rules.length === 0) throw new ServiceError('INVALID_INPUT', 'Nothing to export: choose at least one mapping or group', [{ path: 'ruleIds', message: 'empty selection' }]);
  return buildExport(
    {
      rules,
      servers: store.listServers(),
      relays: store.listRelays(),
      secrets: {
        sshPassword: (id) => secrets.get(secretKey.sshPassword(id)),
        sshPassphrase: (id) => secrets.get(secretKey.sshPassphrase(id)),
        relayToken: (id) => secrets.get(secretKey.relayToken(id)),
        socksPassword: (id) => secrets.get(secretKey.socksPassword(id)),
      },
    },
    { format: req.format, includeSecrets: req.includeSecrets },
  );
}
