import type { HostKeyPolicy, HostKeyPrompt } from '../../src-shared/model/ssh';
import { formatHostPort } from '../../src-shared/format/address';
import { EngineError } from '../engine/engine-error';
import { fingerprint, keyTypeOf } from './known-hosts';
import type { KnownHostsStore } from './known-hosts';

/** The user's answer to an unknown host key: accept for this connection, accept and remember, or refuse. */
export type HostKeyAnswer = 'once' | 'always' | 'reject';
/** The service gives the prompt its promptId and routes it to the UI. */
export type HostKeyPromptRequest = Omit<HostKeyPrompt, 'promptId'>;
export type HostKeyPromptFn = (prompt: HostKeyPromptRequest) => Promise<HostKeyAnswer>;

export interface HostKeyVerifierOptions {
  serverId: string;
  host: string;
  port: number;
  policy: HostKeyPolicy;
  store: KnownHostsStore;
  /** The server's own extra known_hosts file. */
  knownHostsFile?: string;
  /** Without one, `ask` behaves like `strict` (nobody to ask, e.g. headless). */
  prompt?: HostKeyPromptFn;
}

/**
 * Decides whether to trust the host key a server presented, for one connection attempt. ssh2 only
 * learns "denied"; the reason, as an EngineError, stays in `rejection` for the session to report.
 */
export class HostKeyVerifier {
  rejection: EngineError | undefined;
  /** True while the user is being asked: the session's handshake deadline must not run meanwhile. */
  prompting = false;

  constructor(private readonly opts: HostKeyVerifierOptions) {}

  /** For ssh2's `hostVerifier`, async form; `key` is the raw blob (no hostHash). */
  readonly hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
    this.verify(key).then(
      () => verify(true),
      (err: unknown) => {
        this.rejection = err instanceof EngineError ? err : new EngineError('INTERNAL', `Could not check the host key: ${String(err)}`, err);
        verify(false);
      },
    );
  };

  /** Resolves when the key is trusted; rejects with HOST_KEY_CHANGED / HOST_KEY_UNKNOWN otherwise. */
  async verify(key: Buffer): Promise<void> {
    const { host, port, policy, store, knownHostsFile, serverId } = this.opts;
    // `off` is OpenSSH's StrictHostKeyChecking=no without the recording: nothing is read or written.
    if (policy === 'off') return;
    const where = formatHostPort(host, port);
    const keyType = keyTypeOf(key);
    const seen = fingerprint(key);
    const result = await store.check(host, port, key, knownHostsFile);
    if (result.status === 'match') return;
    if (result.status === 'mismatch') {
      const { entry } = result;
      if (result.revoked) {
        throw new EngineError(
          'HOST_KEY_CHANGED',
          `The host key of ${where} (${keyType} ${seen}) is marked @revoked in ${entry.file} line ${entry.line} — do not connect; ask the server's administrator for its current key`,
        );
      }
      throw new EngineError(
        'HOST_KEY_CHANGED',
        `The host key of ${where} has CHANGED: it is now ${keyType} ${seen}, but ${entry.file} line ${entry.line} records ${result.fingerprint}. ` +
          `Someone may be intercepting the connection, or the server was reinstalled. Check the new fingerprint with the server's administrator; ` +
          `if it is right, delete line ${entry.line} of ${entry.file} and connect again`,
      );
    }
    const unknown = (why: string): EngineError =>
      new EngineError('HOST_KEY_UNKNOWN', `The host key of ${where} (${keyType} ${seen}) is not known ${why}`);
    if (policy === 'accept-new') {
      await store.add(host, port, key);
      return;
    }
    if (policy === 'strict' || !this.opts.prompt) {
      throw unknown(
        `and the server's host key policy is strict — add it to ${store.appFile} (or the server's known_hosts file) after checking it with the server's administrator, or set the policy to "ask"`,
      );
    }
    this.prompting = true;
    let answer: HostKeyAnswer;
    try {
      answer = await this.opts.prompt({ serverId, host, port, keyType, fingerprint: seen });
    } finally {
      this.prompting = false;
    }
    if (answer === 'reject') throw unknown('and you chose not to trust it — nothing was connected');
    if (answer === 'always') await store.add(host, port, key);
  }
}
