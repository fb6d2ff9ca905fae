import { isLoopbackHost } from '../../src-shared/format/address';
import type { Rule, RuleType } from '../../src-shared/model/rule';
import { ROUTER_LEASE_DEFAULT_S, type RouterMethod, type RouterOption } from '../../src-shared/model/router';

// The "Open on router" part of the rule form: which types have it, its values as the form holds them,
// and the draft's `router` field. Pure, so it is unit-tested without a DOM.

/** Rule types that listen on this machine and can ask the router for a port. */
export const ROUTER_TYPES: readonly RuleType[] = ['tcp-forward', 'udp-forward', 'socks'];

export function hasRouterOption(type: RuleType): boolean {
  return ROUTER_TYPES.includes(type);
}

export interface RouterFormValues {
  routerEnabled: boolean;
  /** '' = the same as the listen port. */
  routerExternalPort: string;
  routerProtocol: RouterMethod;
}

export function routerValuesFrom(rule?: Rule): RouterFormValues {
  const r = rule && 'router' in rule ? rule.router : undefined;
  return {
    routerEnabled: r?.enabled ?? false,
    routerExternalPort: r?.externalPort !== undefined ? String(r.externalPort) : '',
    routerProtocol: r?.protocol ?? 'auto',
  };
}

/**
 * The draft's `router`, or undefined to leave it out: a rule that never had the option keeps none (so
 * it exports and saves as before). The lease the form does not show comes from `base`.
 */
export function routerDraft(v: RouterFormValues & { type: RuleType }, base?: Rule): RouterOption | undefined {
  const before = base && 'router' in base ? base.router : undefined;
  if (!hasRouterOption(v.type) || (!v.routerEnabled && !before)) return undefined;
  const ext = v.routerExternalPort.trim();
  return {
    enabled: v.routerEnabled,
    ...(ext !== '' ? { externalPort: Number(ext) } : {}),
    protocol: v.routerProtocol,
    leaseSeconds: before?.leaseSeconds ?? ROUTER_LEASE_DEFAULT_S,
  };
}

/** The router cannot reach a loopback listen address: the switch explains it and offers the LAN ones. */
export function routerNeedsLanAddress(v: RouterFormValues & { listenHost: string }): boolean {
  return v.routerEnabled && isLoopbackHost(v.listenHost.trim());
}

export const ROUTER_PORT_HINT = 'enter a port from 1 to 65535, or leave it empty for the listen port';
