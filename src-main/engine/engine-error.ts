import type { RuleErrorCode } from '../../src-shared/model/errors';
import { formatHostPort } from '../../src-shared/format/address';

/** An engine failure with a stable code for the UI and a message for people; the OS error is kept. */
export class EngineError extends Error {
  readonly code: RuleErrorCode;
  override readonly cause?: unknown;

  constructor(code: RuleErrorCode, message: string, cause?: unknown) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.cause = cause;
  }
}

/** Errno-style code of an error, looking inside the AggregateError that Node 20's Happy Eyeballs
 * connect (autoSelectFamily) throws when every address of a host failed. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const c = errnoCode(inner);
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || errnoCode(err) || err.name;
  return String(err);
}

/** Set by the forwarder on the error it makes when its own connect timer fires. */
export interface ConnectTimeoutDetails {
  code: 'ETIMEDOUT';
  timeoutMs: number;
}

export function connectTimeout(host: string, port: number, timeoutMs: number): Error & ConnectTimeoutDetails {
  const err = new Error(`connect ETIMEDOUT ${formatHostPort(host, port)} (no answer within ${timeoutMs} ms)`);
  return Object.assign(err, { code: 'ETIMEDOUT' as const, timeoutMs });
}

/**
 * Made by the forwarder when its connect timer fires while the target's name is still being resolved:
 * no address was dialled, so it is the name that did not resolve in time (DNS_FAILED), not the target
 * that did not answer.
 */
export function lookupTimeout(host: string, timeoutMs: number): Error & { code: 'EAI_AGAIN'; timeoutMs: number } {
  const err = new Error(`getaddrinfo EAI_AGAIN ${host} (no answer within ${timeoutMs} ms)`);
  return Object.assign(err, { code: 'EAI_AGAIN' as const, timeoutMs });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Maps a listen() failure to a code and a message saying what to change. */
export function listenError(err: unknown, host: string, port: number): EngineError {
  const where = formatHostPort(host, port);
  switch (errnoCode(err)) {
    case 'EADDRINUSE':
      return new EngineError(
        'PORT_IN_USE',
        `Port ${port} on ${host} is already in use — choose another listen port or stop the program using it`,
        err,
      );
    case 'EACCES':
    case 'EPERM':
      return new EngineError(
        'PERMISSION_DENIED',
        port > 0 && port < 1024
          ? `Cannot listen on ${where}: ports below 1024 need administrator rights on this system — choose a port above 1024`
          : `Not allowed to listen on ${where} — a security policy or firewall blocks it; choose another port or address`,
        err,
      );
    case 'EADDRNOTAVAIL':
      return new EngineError(
        'ADDRESS_NOT_AVAILABLE',
        `Cannot listen on ${where}: ${host} is not an address of this machine — use 127.0.0.1, 0.0.0.0 or one of this machine's own addresses`,
        err,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new EngineError('DNS_FAILED', `Could not resolve "${host}" to listen on — check the listen address`, err);
    default:
      return new EngineError('INTERNAL', `Could not listen on ${where}: ${describe(err)}`, err);
  }
}

/** Maps a failure of the connection to the target (while connecting or mid-stream) to a code and a message. */
export function connectError(err: unknown, host: string, port: number): EngineError {
  const where = formatHostPort(host, port);
  switch (errnoCode(err)) {
    case 'ECONNREFUSED':
      return new EngineError('TARGET_REFUSED', `${where} refused the connection — is the service running on that port?`, err);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new EngineError(
        'TARGET_UNREACHABLE',
        `${where} is unreachable from this machine — check the target address and the network route to it`,
        err,
      );
    case 'ETIMEDOUT': {
      const ms = (err as Partial<ConnectTimeoutDetails>).timeoutMs;
      const what = typeof ms === 'number' ? `did not answer within ${formatSeconds(ms)}` : 'timed out';
      return new EngineError(
        'TARGET_TIMEOUT',
        `${where} ${what} — check the target address and port, and whether a firewall drops the connection`,
        err,
      );
    }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME': {
      const ms = (err as { timeoutMs?: unknown }).timeoutMs;
      if (typeof ms === 'number') return new EngineError('DNS_FAILED', `Could not resolve "${host}" within ${formatSeconds(ms)} — check the host name and that the DNS server answers`, err);
      return new EngineError('DNS_FAILED', `Could not resolve "${host}" — check the host name`, err);
    }
    case 'ECONNRESET':
    case 'EPIPE':
      return new EngineError(
        'CONNECTION_RESET',
        `${where} reset the connection — the service dropped it; check the service's logs`,
        err,
      );
    default:
      return new EngineError('INTERNAL', `Connection to ${where} failed: ${describe(err)}`, err);
  }
}

/**
 * Maps a failure of a UDP session's upstream socket to a code and a message. The one UDP-specific case
 * is ECONNREFUSED: the target host answered a datagram with ICMP "port unreachable", which Linux
 * reports on a connected UDP socket; there was no connection to refuse, so say what it really means.
 */
export function udpTargetError(err: unknown, host: string, port: number): EngineError {
  if (errnoCode(err) === 'ECONNREFUSED') {
    return new EngineError(
      'TARGET_REFUSED',
      `Nothing is listening on UDP ${formatHostPort(host, port)} (the host answered "port unreachable") — is the service running on that port?`,
      err,
    );
  }
  return connectError(err, host, port);
}
