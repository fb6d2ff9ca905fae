import { formatHostPort, listenEndpointsCollide } from '../../src-shared/format/address';
import { type RuleDraftParsed, RuleDraftSchema } from '../../src-shared/model/rule';
import { at, shownArgs } from './ssh-config-options';
import type { Built } from './ssh-config-server';
import { type SshConfigTree, refIndexes } from './ssh-config-tree';
import type { ForwardSpec } from './ssh-forward-spec';

/** Generated names are cut to fit the models' 80-character limit on rule and server names. */
export function truncateName(name: string): string {
  return name.length <= 80 ? name : `${name.slice(0, 79)}…`;
}

/** A local address an imported forward listens on, and the Host alias it came from. */
export interface TakenListen {
  host: string;
  port: number;
  alias: string;
}

/**
 * The rule drafts for one Host alias's LocalForward / RemoteForward / DynamicForward lines, in file
 * order, for its server `b`; forwards that cannot be imported are skipped with a warning. `listens`
 * is shared by every alias of the file: OpenSSH binds one host's forwards at a time, but Porthole
 * runs all of them at once and refuses a second mapping on an address, so the first one wins.
 */
export function forwardRules(alias: string, b: Built, tree: SshConfigTree, warnings: string[], listens: TakenListen[] = []): RuleDraftParsed[] {
  const { refs, forwards, computeFor, deref } = tree;
  const rules: RuleDraftParsed[] = [];
  const c = computeFor(alias);
  const fwdIdx = [...refIndexes(c.localforward), ...refIndexes(c.remoteforward), ...refIndexes(c.dynamicforward)].sort((a, z2) => a - z2);
  const usable = fwdIdx.filter((i) => forwards.get(i)?.kind !== 'unsupported');
  if (!b.ok) {
    if (usable.length > 0) warnings.push(`${alias}: ${usable.length} forward${usable.length === 1 ? '' : 's'} not imported because the server was skipped`);
    return rules;
  }
  const clear = deref(c.clearallforwardings);
  if (clear && clear.args[0]!.toLowerCase() === 'yes') {
    if (usable.length > 0) warnings.push(`${alias}: ClearAllForwardings yes (${at(clear)}): its ${usable.length} forward(s) are not imported`);
    return rules;
  }
  const taken = new Set<string>();
  // GatewayPorts yes: a local forward written without a bind address listens on every interface.
  const gateway = deref(c.gatewayports);
  const gatewayOn = gateway !== undefined && gateway.args[0]!.toLowerCase() === 'yes';
  for (const i of usable) {
    let spec = forwards.get(i)!;
    const l = refs[i]!;
    if (gatewayOn && (spec.kind === 'LocalForward' || spec.kind === 'DynamicForward') && spec.listen.defaulted) {
      spec = { ...spec, listen: { ...spec.listen, host: '0.0.0.0', allInterfaces: true } };
      warnings.push(`${alias}: ${l.keyword}${shownArgs(l)} (${at(l)}) listens on all interfaces because of GatewayPorts yes (${at(gateway)}), reachable from other machines`);
    }
    const rule = ruleFor(alias, b.server.ref, spec);
    if (!rule) continue;
    if (taken.has(rule.slot)) {
      warnings.push(`${alias}: ${l.keyword}${shownArgs(l)} (${at(l)}) uses the same ${rule.slot} as an earlier forward; skipped`);
      continue;
    }
    const local = spec.kind === 'LocalForward' || spec.kind === 'DynamicForward' ? spec.listen : undefined;
    const holder = local && listens.find((o) => listenEndpointsCollide(o, local));
    if (local && holder) {
      const where = `the same listen address ${formatHostPort(local.host, local.port)}`;
      const whose = holder.alias === alias ? 'an earlier forward' : `the forward of ${holder.alias} (Porthole runs every host's forwards at once)`;
      warnings.push(`${alias}: ${l.keyword}${shownArgs(l)} (${at(l)}) uses ${where} as ${whose}; skipped`);
      continue;
    }
    taken.add(rule.slot);
    const parsed = RuleDraftSchema.safeParse(rule.draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      warnings.push(`${alias}: ${l.keyword}${shownArgs(l)} (${at(l)}) skipped: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    rules.push(parsed.data);
    if (local) listens.push({ host: local.host, port: local.port, alias });
  }
  return rules;
}

function ruleFor(alias: string, server: string, spec: ForwardSpec): { draft: unknown; slot: string } | undefined {
  const show = (h: { host: string; port: number; defaulted: boolean }) => (h.defaulted || h.host === '127.0.0.1' ? String(h.port) : formatHostPort(h.host, h.port));
  switch (spec.kind) {
    case 'LocalForward':
      return {
        slot: `listen address ${formatHostPort(spec.listen.host, spec.listen.port)}`,
        draft: {
          type: 'ssh-local',
          name: truncateName(`${alias}: L ${show(spec.listen)} → ${formatHostPort(spec.target.host, spec.target.port)}`),
          enabled: true,
          server,
          listen: { host: spec.listen.host, port: spec.listen.port },
          target: spec.target,
        },
      };
    case 'RemoteForward':
      return {
        slot: `remote address ${formatHostPort(spec.remote.host, spec.remote.port)}`,
        draft: {
          type: 'ssh-remote',
          name: truncateName(`${alias}: R ${show(spec.remote)} → ${formatHostPort(spec.target.host, spec.target.port)}`),
          enabled: true,
          server,
          remote: { host: spec.remote.host, port: spec.remote.port },
          target: spec.target,
        },
      };
    case 'DynamicForward':
      return {
        slot: `listen address ${formatHostPort(spec.listen.host, spec.listen.port)}`,
        draft: {
          type: 'ssh-dynamic',
          name: truncateName(`${alias}: D ${show(spec.listen)} (SOCKS)`),
          enabled: true,
          server,
          listen: { host: spec.listen.host, port: spec.listen.port },
          socks: {},
        },
      };
    case 'unsupported':
      return undefined;
  }
}
