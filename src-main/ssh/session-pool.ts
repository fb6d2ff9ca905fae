import { SharedPool } from '../engine/shared-pool';
import { SshSession } from './ssh-session';
import type { SshSessionOptions } from './ssh-session';

/**
 * One SshSession per saved server, shared by every rule that uses it (one TCP connection, one login,
 * one host-key prompt), refcounted: the last release() closes it.
 */
export class SessionPool extends SharedPool<SshSession> {
  /** `options` builds the session for a server not connected yet (resolving its jump chain, secrets…). */
  constructor(options: (serverId: string) => SshSessionOptions) {
    super((serverId) => new SshSession(options(serverId)));
  }
}
