import type { SshServer } from '../../src-shared/model/ssh';
import { formatHostPort } from '../../src-shared/format/address';
import { EngineError, errnoCode } from '../engine/engine-error';
import { serverLabel } from './ssh-auth';

/** ssh2 tags its errors with where they arose; 'client-authentication' means every method was refused. */
export interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
  /** Channel open failures: the RFC 4254 reason code. */
  reason?: number | string;
}

export interface HopFailureContext {
  server: SshServer;
  /** Auth methods offered before the failure. */
  tried: string[];
  agentProblem?: string;
  /** Set when this hop is reached through a jump host (its TCP connect happens there). */
  via?: SshServer;
}

/** Maps why one SSH connection (one hop) failed or dropped to a stable code and a message saying what to do. */
export function sessionError(err: Ssh2Error | undefined, ctx: HopFailureContext, wasReady: boolean): EngineError {
  const label = serverLabel(ctx.server);
  const where = formatHostPort(ctx.server.host, ctx.server.port);
  if (err === undefined) {
    return wasReady
      ? new EngineError('CONNECTION_RESET', `The SSH connection to ${label} was closed by the server or the network — reconnecting`)
      : new EngineError('CONNECTION_RESET', `${label} closed the connection before login completed — check the server's logs (MaxStartups, AllowUsers, fail2ban)`);
  }
  if (err.level === 'client-authentication') {
    const tried = ctx.tried.length > 0 ? ctx.tried.join(', ') : 'none';
    const agent = ctx.agentProblem ? `; the agent could not be used: ${ctx.agentProblem}` : '';
    return new EngineError('AUTH_FAILED', `Authentication failed for ${label} (tried: ${tried})${agent} — check the key or password`, err);
  }
  if (err.level === 'client-timeout') {
    if (/keepalive/i.test(err.message)) {
      return new EngineError('CONNECTION_RESET', `${label} stopped answering keepalives — the network or the server went away; reconnecting`, err);
    }
    return new EngineError('TARGET_TIMEOUT', `${label} did not complete the SSH handshake in time — check the address and port, and whether a firewall drops the connection`, err);
  }
  switch (errnoCode(err)) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new EngineError('DNS_FAILED', `Could not resolve "${ctx.server.host}" — check the SSH server's host name`, err);
    case 'ECONNREFUSED':
      return new EngineError('TARGET_REFUSED', `${where} refused the connection — is the SSH server running on port ${ctx.server.port}?`, err);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new EngineError('TARGET_UNREACHABLE', `${where} is unreachable — check the SSH server's address and the network route to it`, err);
    case 'ETIMEDOUT':
      return new EngineError('TARGET_TIMEOUT', `${where} did not answer — check the address and port, and whether a firewall drops the connection`, err);
    case 'ECONNRESET':
    case 'EPIPE':
      return new EngineError('CONNECTION_RESET', `${label} reset the SSH connection — reconnecting`, err);
    default:
      break;
  }
  if (err.level === 'protocol' || err.level === 'client-socket') {
    return new EngineError('CONNECTION_RESET', `The SSH connection to ${label} failed: ${err.message} — reconnecting`, err);
  }
  return new EngineError('INTERNAL', `The SSH connection to ${label} failed: ${err.message}`, err);
}

// RFC 4254 §5.1 reason codes.
const ADMINISTRATIVELY_PROHIBITED = 1;
const CONNECT_FAILED = 2;

/**
 * Maps a direct-tcpip open failure. OpenSSH answers CONNECT_FAILED with strerror() ("Connection
 * refused") or "unknown host", and ADMINISTRATIVELY_PROHIBITED when AllowTcpForwarding/PermitOpen forbid it.
 */
export function channelOpenError(err: Ssh2Error, server: SshServer, host: string, port: number): EngineError {
  const label = serverLabel(server);
  const target = formatHostPort(host, port);
  const text = err.message.replace(/^\(SSH\) Channel open failure: /, '');
  if (err.reason === ADMINISTRATIVELY_PROHIBITED) {
    return new EngineError(
      'PERMISSION_DENIED',
      `${label} does not allow forwarding to ${target} (administratively prohibited) — the server's AllowTcpForwarding or PermitOpen settings forbid it`,
      err,
    );
  }
  if (/refused/i.test(text)) {
    return new EngineError('TARGET_REFUSED', `${target} refused the connection (as seen from ${label}) — is the service running on that port?`, err);
  }
  if (/unknown host|name or service|not known|resolve/i.test(text)) {
    return new EngineError('DNS_FAILED', `${label} could not resolve "${host}" — check the target host name (it is resolved on the SSH server)`, err);
  }
  if (/timed out/i.test(text)) {
    return new EngineError('TARGET_TIMEOUT', `${target} did not answer ${label} in time — check the target address and port`, err);
  }
  if (err.reason === CONNECT_FAILED || /unreachable|no route/i.test(text)) {
    return new EngineError('TARGET_UNREACHABLE', `${label} could not connect to ${target}: ${text || 'connect failed'} — check the target address and port`, err);
  }
  if (/not connected|no response/i.test(err.message)) {
    return new EngineError('CONNECTION_RESET', `The SSH connection to ${label} dropped while opening a channel to ${target}`, err);
  }
  return new EngineError('INTERNAL', `${label} could not open a channel to ${target}: ${text}`, err);
}
