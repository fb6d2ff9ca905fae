import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName } from '../../src-shared/api/channels';
import type { ApiEvents, AppInfo, Envelope, MethodOutput } from '../../src-shared/api/contract';
import { METHOD_INPUTS } from '../../src-shared/api/schemas';
import type { ApiIssue } from '../../src-shared/model/errors';
import { type Rule, ruleRelayId, ruleServerId } from '../../src-shared/model/rule';
import type { ExportOutput } from '../../src-shared/model/import';
import type { ImportService } from '../service/import-service';
import type { InspectorService } from '../service/inspector-service';
import type { SettingsService } from '../service/settings-service';
import type { TrafficHistory } from '../service/traffic-history';
import type { LocalRelay } from '../service/local-relay';
import type { RelayRegistry } from '../service/relay-registry';
import { ServiceError } from '../service/service-error';
import { checkPort } from '../service/port-check';
import type { HostKeyPrompts } from '../service/host-key-prompts';
import type { ServerRegistry } from '../service/server-registry';
import type { TunnelService } from '../service/tunnel-service';
import { type SecretStore, secretKey } from '../store/secret-store';
import type { ApiCaller, ApiHost } from './api-host';

type Inputs = { [M in MethodName]: z.output<(typeof METHOD_INPUTS)[M]> };
type HandlerTable = { [M in MethodName]: (input: Inputs[M], caller: ApiCaller | undefined) => Promise<MethodOutput<M>> | MethodOutput<M> };

function issuesOf(err: z.ZodError): ApiIssue[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function describe(issues: ApiIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
}

export interface ApiDeps {
  service: TunnelService;
  secrets: SecretStore;
  servers: ServerRegistry;
  relays: RelayRegistry;
  localRelay: LocalRelay;
  imports: ImportService;
  settings: SettingsService;
  traffic: TrafficHistory;
  exports: (req: z.output<typeof METHOD_INPUTS['exports.build']>) => ExportOutput;
  hostKeys: HostKeyPrompts;
  info: () => AppInfo;
  /** Absent in hosts without one (tests): the inspector methods then list nothing. */
  inspector?: InspectorService;
}

/** Builds the one handler table of a host process: validate with zod, then call the service. */
export function createApiHost({ service, secrets, servers, relays, localRelay, imports, exports, settings, traffic, hostKeys, info, inspector }: ApiDeps): ApiHost {
  // Which callers watch connections; a caller without identity (the tray, tests) counts as one shared watcher.
  const watching = new WeakMap<ApiCaller, boolean>();
  const shared: ApiCaller = { onGone: () => undefined };
  const table: HandlerTable = {
    'app.info': () => info(),
    'rules.list': () => service.list(),
    'rules.create': (draft) => service.create(draft),
    'rules.update': ({ id, rule }) => service.update(id, rule),
    'rules.remove': async ({ id }) => {
      await service.remove(id);
      secrets.delete(secretKey.socksPassword(id));
      return { removed: true as const };
    },
    'rules.setSocksPassword': async ({ id, password }) => {
      const rule = service.rules().find((r) => r.id === id);
      if (!rule) throw new ServiceError('NOT_FOUND', `No mapping with id ${id}`);
      if (rule.type !== 'socks' && rule.type !== 'ssh-dynamic') {
        throw new ServiceError('INVALID_INPUT', `"${rule.name}" is not a SOCKS proxy`, [{ path: 'id', message: 'not a SOCKS mapping' }]);
      }
      if (password !== '' && !rule.socks.username) {
        throw new ServiceError('INVALID_INPUT', 'Set a username before a password', [{ path: 'socks.password', message: 'set a username first' }]);
      }
      if (password === '') secrets.delete(secretKey.socksPassword(id));
      else secrets.set(secretKey.socksPassword(id), password);
      const { id: _id, ...draft } = rule;
      await service.update(id, { ...draft, socks: { ...rule.socks, hasPassword: password !== '' } });
      await service.restart(id);
      return service.entryOf(id);
    },
    'rules.setEnabled': ({ id, enabled }) => service.setEnabled(id, enabled),
    'rules.setGroupEnabled': ({ group, enabled }) => service.setGroupEnabled(group, enabled),
    'logs.query': (q) => service.log.query(q ?? {}),
    'connections.list': (q) => service.connections(q?.ruleId),
    'connections.close': ({ ruleId, id }) => service.closeConnection(ruleId, id),
    'connections.watch': ({ watch }, caller = shared) => {
      const was = watching.get(caller) ?? false;
      if (watch && !was) {
        watching.set(caller, true);
        service.watchConnections(1);
        caller.onGone(() => {
          if (watching.get(caller)) service.watchConnections(-1);
          watching.delete(caller);
        });
      } else if (!watch && was) {
        watching.set(caller, false);
        service.watchConnections(-1);
      }
      return { watching: watch };
    },
    'servers.list': () => servers.list(),
    'servers.create': (input) => servers.create(input),
    'servers.update': async ({ id, ...input }) => {
      const entry = servers.update(id, input);
      const restarted = await restartFailed((r) => ruleServerId(r) === id);
      return restarted > 0 ? servers.list().find((x) => x.server.id === id) ?? entry : entry;
    },
    'servers.remove': ({ id }) => {
      servers.remove(id);
      return { removed: true as const };
    },
    'hostKeys.answer': ({ promptId, decision }) => ({ answered: hostKeys.answer(promptId, decision) }),
    'relays.list': () => relays.list(),
    'relays.create': (input) => relays.create(input),
    'relays.update': async ({ id, ...input }) => {
      relays.update(id, input);
      await restartFailed((r) => ruleRelayId(r) === id);
      return relays.list().find((x) => x.relay.id === id)!;
    },
    'relays.remove': ({ id }) => {
      relays.remove(id);
      return { removed: true as const };
    },
    'relays.trust': async ({ id, fingerprint }) => {
      relays.trust(id, fingerprint);
      await restartFailed((r) => ruleRelayId(r) === id);
      return relays.list().find((x) => x.relay.id === id)!;
    },
    'relayServer.settings': () => localRelay.settings(),
    'relayServer.configure': (input) => localRelay.configure(input),
    'relayServer.start': () => localRelay.start(),
    'relayServer.stop': () => localRelay.stop(),
    'relayServer.status': () => localRelay.currentStatus(),
    'imports.preview': ({ sources }) => imports.preview(sources),
    'imports.apply': (input) => imports.apply(input),
    'imports.undo': () => imports.undo(),
    'imports.claim': ({ ids }) => imports.claim(ids),
    'imports.relayConfig': ({ previewId, file }) => imports.relayConfig(previewId, file),
    'exports.build': (req) => exports(req),
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'traffic.summary': () => traffic.summary(),
    'traffic.recent': () => traffic.recentTraffic(),
    'ports.check': (input) => checkPort(service.rules(), input, (id) => service.entryOf(id).status.boundAddress),
    'inspector.list': (q) => inspector?.list(q ?? { limit: 1000 }) ?? { exchanges: [], notices: [] },
    'inspector.get': ({ id }) => requireInspector().get(id),
    'inspector.replay': ({ id, edit }) => requireInspector().replay(id, edit),
    'inspector.clear': ({ ruleId }) => {
      inspector?.clear(ruleId);
      return { cleared: true as const };
    },
  };

  function requireInspector(): InspectorService {
    if (!inspector) throw new ServiceError('NOT_FOUND', 'This host records no HTTP exchanges');
    return inspector;
  }

  /** Rules that gave up on a server or relay (wrong secret, rejected key) try again with what changed. */
  async function restartFailed(uses: (r: Rule) => boolean): Promise<number> {
    const failed = service.list().filter((e) => uses(e.rule) && e.rule.enabled && e.status.state === 'failed');
    await Promise.all(failed.map((e) => service.restart(e.rule.id)));
    return failed.length;
  }

  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  for (const e of EVENT_NAMES) service.on(e, (payload: unknown) => bus.emit(e, payload));

  async function handle(method: string, rawInput: unknown, caller?: ApiCaller): Promise<Envelope<unknown>> {
    if (!(METHOD_NAMES as readonly string[]).includes(method)) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown method "${String(method).slice(0, 60)}"` } };
    }
    const m = method as MethodName;
    const parsed = METHOD_INPUTS[m].safeParse(rawInput);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Invalid input for ${m}: ${describe(issues)}`, issues } };
    }
    try {
      const fn = table[m] as (input: unknown, caller: ApiCaller | undefined) => Promise<unknown> | unknown;
      return { ok: true, value: await fn(parsed.data, caller) };
    } catch (err) {
      if (err instanceof ServiceError) return { ok: false, error: err.toData() };
      service.log.line('error', 'internalError', { method: m, error: (err as Error)?.stack ?? String(err) });
      return { ok: false, error: { code: 'INTERNAL', message: `Internal error in ${m}: ${(err as Error)?.message ?? String(err)}` } };
    }
  }

  return {
    handle,
    subscribe<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      bus.on(event, listener as (p: unknown) => void);
      return () => void bus.off(event, listener as (p: unknown) => void);
    },
    subscribeAll(listener) {
      const offs = EVENT_NAMES.map((e) => {
        const l = (p: unknown) => listener(e, p);
        bus.on(e, l);
        return () => void bus.off(e, l);
      });
      return () => offs.forEach((off) => off());
    },
  };
}
