import { z } from 'zod';
import { PortSchema } from './primitives';

// "Open on router": a listening rule asks the home router (UPnP IGD, NAT-PMP or PCP) to forward an
// external port to it. The option lives on the rule; what the router granted lives in its status.

export const ROUTER_METHODS = ['auto', 'upnp', 'natpmp', 'pcp'] as const;
export type RouterMethod = (typeof ROUTER_METHODS)[number];
/** A protocol that made (or tried to make) a mapping. */
export type RouterProtocolUsed = Exclude<RouterMethod, 'auto'>;

export const ROUTER_LEASE_DEFAULT_S = 3600;

export const RouterOptionSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The port on the router's external address; absent: the same as the listen port. */
    externalPort: PortSchema.optional(),
    /** `auto` tries UPnP IGD first, then NAT-PMP, then PCP (RFC 6887), whichever answers. */
    protocol: z.enum(ROUTER_METHODS).default('auto'),
    /** Asked-for lease; renewed at half of what the router grants. Routers may shorten it. */
    leaseSeconds: z.number().int().min(2, 'a lease of at least 2 s').max(604_800, 'a lease of at most 7 days').default(ROUTER_LEASE_DEFAULT_S),
  })
  .strict();
export type RouterOption = z.output<typeof RouterOptionSchema>;

/** Stable codes of router mapping failures; the UI and CLI key on them, the message is for people. */
export const ROUTER_ERROR_CODES = [
  'GATEWAY_NOT_FOUND',
  'ROUTER_REFUSED',
  'EXTERNAL_PORT_TAKEN',
  'LISTEN_ON_LOOPBACK',
  'ROUTER_ERROR',
] as const;
export type RouterErrorCode = (typeof ROUTER_ERROR_CODES)[number];

export interface RouterProblem {
  code: RouterErrorCode;
  message: string;
  /** The router's own code: UPnP errorCode (718, 606, 725…), NAT-PMP or PCP result code. */
  routerCode?: number;
  at: number;
}

export interface RouterWarning {
  /** The router's external address is private or shared (CGNAT): the mapping reaches only that outer network. */
  code: 'DOUBLE_NAT';
  message: string;
}

/** What the router did for one rule; shown in the detail pane and by the CLI. */
export interface RouterMappingStatus {
  state: 'mapping' | 'mapped' | 'failed';
  /** The protocol that worked (or was last tried). */
  method?: RouterProtocolUsed;
  /** The router's address on the LAN. */
  gateway?: string;
  externalAddress?: string;
  externalPort?: number;
  /** This host's LAN address and port the router forwards to. */
  internalAddress?: string;
  internalPort?: number;
  protocol: 'tcp' | 'udp';
  /** Lease granted in seconds; 0 = permanent (a router that only does permanent mappings). */
  leaseSeconds?: number;
  /** Epoch ms of the next renewal (or retry after a failure). */
  renewAt?: number;
  error?: RouterProblem;
  warning?: RouterWarning;
}

/** True for addresses that are not reachable from the internet: a router with one is itself behind NAT. */
export function isPrivateIPv4(ip: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 10 ||
    a === 0 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // RFC 6598 shared space (carrier-grade NAT)
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19))
  );
}
