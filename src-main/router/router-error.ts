import type { RouterErrorCode } from '../../src-shared/model/router';

/** A router mapping failure with a stable code; `routerCode` is what the router itself answered. */
export class RouterError extends Error {
  override name = 'RouterError';
  constructor(
    readonly code: RouterErrorCode,
    message: string,
    readonly routerCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A UPnP SOAP fault: the IGD answered `errorCode` / `errorDescription` (UPnP Device Architecture 3.2.2). */
export class UpnpSoapError extends Error {
  override name = 'UpnpSoapError';
  constructor(
    readonly action: string,
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`${action} failed: UPnP error ${errorCode} ${description}`.trim());
  }
}

/** What the common UPnP IGD error codes mean, in words a person can act on. */
export const UPNP_ERROR_TEXT: Record<number, string> = {
  402: 'invalid arguments',
  501: 'the router could not do it (action failed)',
  606: 'not authorised — the router does not let this host open ports',
  714: 'no such mapping',
  715: 'the router does not accept wildcards in the source address',
  716: 'the router does not accept a wildcard external port',
  718: 'the external port is already mapped to another host',
  724: 'the router needs the same external and internal port',
  725: 'the router only accepts permanent leases',
  726: 'the router needs a wildcard remote host',
  727: 'the router needs a wildcard external port',
  728: 'the router has no room for more mappings',
  729: 'the port is in use by another mechanism on the router',
};

/** NAT-PMP result codes (RFC 6886 section 3.5). */
export const NATPMP_RESULT_TEXT: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorised or refused (NAT-PMP may be switched off on the router)',
  3: 'network failure on the router (e.g. it has no external address yet)',
  4: 'out of resources (no more mappings)',
  5: 'unsupported opcode',
};

/** PCP result codes (RFC 6887 section 7.4). */
export const PCP_RESULT_TEXT: Record<number, string> = {
  1: 'unsupported version (the router speaks NAT-PMP only, or no PCP)',
  2: 'not authorised — the router does not let this host open ports',
  3: 'malformed request',
  4: 'unsupported opcode',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure on the router (e.g. it has no external address yet)',
  8: 'out of resources (no more mappings)',
  9: 'unsupported protocol',
  10: 'this host has used up its quota of mappings',
  11: 'the router cannot provide that external port',
  12: "address mismatch — another NAT sits between this host and the router, or the request left from another address",
  13: 'too many remote peers',
};
