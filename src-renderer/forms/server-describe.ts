import { formatHostPort } from '../../src-shared/format/address';
import type { SshServer, SshSessionState } from '../../src-shared/model/ssh';

// How the Servers view words a saved server.

export const SESSION_LABELS: Record<SshSessionState, string> = {
  idle: 'Idle',
  connecting: 'Connecting',
  ready: 'Ready',
  retrying: 'Retrying',
  failed: 'Failed',
};

export const SESSION_TONES: Record<SshSessionState, 'grey' | 'amber' | 'green' | 'red'> = {
  idle: 'grey',
  connecting: 'amber',
  ready: 'green',
  retrying: 'amber',
  failed: 'red',
};

/** `user@host` with `:port` when not 22 (IPv6 hosts in brackets). */
export function serverAddress(s: Pick<SshServer, 'user' | 'host' | 'port'>): string {
  return `${s.user}@${formatHostPort(s.host, s.port)}`;
}

export function authLabel(auth: SshServer['auth']): string {
  switch (auth.method) {
    case 'agent':
      return 'ssh-agent';
    case 'key':
      return `Key file ${auth.keyPath}${auth.hasPassphrase ? ' (with passphrase)' : ''}`;
    case 'password':
      return auth.hasPassword ? 'Password' : 'Password (none stored)';
  }
}

export function usedByLabel(names: readonly string[]): string {
  if (names.length === 0) return 'Not used by any mapping';
  return `Used by ${names.length} ${names.length === 1 ? 'mapping' : 'mappings'}: ${names.join(', ')}`;
}

export function retryLabel(seconds: number): string {
  return seconds <= 0 ? 'next attempt now' : `next attempt in ${seconds}s`;
}
