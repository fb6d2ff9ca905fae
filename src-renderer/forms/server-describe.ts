import { formatHostPort } from '../../src-shared/format/address';
import type { SshServer, SshSessionState } from '../../src-shared/model/ssh';
import { t } from '../i18n/i18n';

// How the Servers view words a saved server.

export function sessionLabel(state: SshSessionState): string {
  return t(`servers.state.${state}`);
}

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
      return t('servers.auth.agent');
    case 'key':
      return t('servers.auth.keyFile', { path: auth.keyPath }) + (auth.hasPassphrase ? t('servers.auth.withPassphrase') : '');
    case 'password':
      return auth.hasPassword ? t('servers.auth.password') : t('servers.auth.passwordNone');
  }
}

export function usedByLabel(names: readonly string[]): string {
  if (names.length === 0) return t('servers.notUsed');
  return t('servers.usedBy', { count: names.length, names: names.join(', ') });
}

export function retryLabel(seconds: number): string {
  return seconds <= 0 ? t('servers.retryNow') : t('servers.retryIn', { seconds });
}
