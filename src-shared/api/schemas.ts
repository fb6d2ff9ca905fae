import { z } from 'zod';
import { ConnectionCloseSchema, ConnectionsQuerySchema } from '../model/connection';
import { LogQuerySchema } from '../model/log';
import { PortCheckInputSchema } from '../model/ports';
import { InspectorClearSchema, InspectorGetSchema, InspectorListSchema, ReplayInputSchema } from '../model/inspector';
import { ExportInputSchema, ImportApplyInputSchema, ImportPreviewInputSchema } from '../model/import';
import { SettingsUpdateSchema } from '../model/settings';
import { AgentTokenSchema, FingerprintSchema, LocalRelayConfigSchema, RelayInputSchema } from '../model/relay';
import { HostKeyAnswerSchema, SshServerInputSchema } from '../model/ssh';
import { RuleDraftSchema, RuleIdSchema } from '../model/rule';
import type { MethodName } from './channels';

// Input schemas per method. The host parses every input with these before a handler runs.
const NoInput = z.undefined().or(z.null()).transform(() => undefined);

export const METHOD_INPUTS = {
  'app.info': NoInput,
  'rules.list': NoInput,
  'rules.create': RuleDraftSchema,
  'rules.update': z.object({ id: RuleIdSchema, rule: RuleDraftSchema }).strict(),
  'rules.remove': z.object({ id: RuleIdSchema }).strict(),
  'rules.setEnabled': z.object({ id: RuleIdSchema, enabled: z.boolean() }).strict(),
  'rules.setSocksPassword': z.object({ id: RuleIdSchema, password: z.string().max(255, 'at most 255 characters (RFC 1929)') }).strict(),
  'rules.setGroupEnabled': z.object({ group: z.string().trim().min(1).max(60), enabled: z.boolean() }).strict(),
  'logs.query': LogQuerySchema.optional(),
  'connections.list': ConnectionsQuerySchema.optional(),
  'connections.close': ConnectionCloseSchema,
  'connections.watch': z.object({ watch: z.boolean() }).strict(),
  'servers.list': NoInput,
  'servers.create': SshServerInputSchema,
  'servers.update': SshServerInputSchema.extend({ id: RuleIdSchema }).strict(),
  'servers.remove': z.object({ id: RuleIdSchema }).strict(),
  'hostKeys.answer': HostKeyAnswerSchema,
  'relays.list': NoInput,
  'relays.create': RelayInputSchema,
  'relays.update': RelayInputSchema.extend({ id: RuleIdSchema }).strict(),
  'relays.remove': z.object({ id: RuleIdSchema }).strict(),
  'relays.trust': z.object({ id: RuleIdSchema, fingerprint: FingerprintSchema }).strict(),
  'relayServer.settings': NoInput,
  'relayServer.configure': z
    .object({ config: LocalRelayConfigSchema, tokens: z.record(z.string().max(80), AgentTokenSchema).optional() })
    .strict(),
  'relayServer.start': NoInput,
  'relayServer.stop': NoInput,
  'relayServer.status': NoInput,
  'imports.preview': ImportPreviewInputSchema,
  'imports.apply': ImportApplyInputSchema,
  'imports.undo': NoInput,
  'imports.claim': z.object({ ids: z.array(z.string().max(100)).max(20).optional() }).strict(),
  'imports.relayConfig': z.object({ previewId: z.string().min(1).max(100), file: z.number().int().min(0).max(1000) }).strict(),
  'exports.build': ExportInputSchema,
  'settings.get': NoInput,
  'settings.update': SettingsUpdateSchema,
  'traffic.summary': NoInput,
  'traffic.recent': NoInput,
  'ports.check': PortCheckInputSchema,
  'inspector.list': InspectorListSchema.optional(),
  'inspector.get': InspectorGetSchema,
  'inspector.replay': ReplayInputSchema,
  'inspector.clear': InspectorClearSchema,
} satisfies Record<MethodName, z.ZodType>;
