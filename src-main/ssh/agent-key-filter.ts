import ssh2 from 'ssh2';
import type { BaseAgent, IdentityCallback, ParsedKey, SignCallback, SigningRequestOptions } from 'ssh2';

// OpenSSH's `IdentityFile key.pub` with an agent (1Password, Bitwarden, gpg-agent, ssh-agent): the
// private key lives only in the agent, and the client offers the agent's key whose public half matches
// the file. ssh2 offers every agent key in the agent's order, so this wrapper puts the wanted key
// first and, with IdentitiesOnly, offers nothing else.

type AnyKey = ParsedKey | Buffer | string;

/** The wire blob of whatever an agent lists: a parsed key, its text or blob, or `{ pubKey }`. */
function blobOf(key: unknown): Buffer | undefined {
  if (typeof key === 'object' && key !== null && 'pubKey' in key) return blobOf((key as { pubKey: unknown }).pubKey);
  if (typeof key === 'object' && key !== null && 'getPublicSSH' in key) return (key as ParsedKey).getPublicSSH();
  if (typeof key !== 'string' && !Buffer.isBuffer(key)) return undefined;
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) return undefined;
  const one = Array.isArray(parsed) ? parsed[0] : parsed;
  return one?.getPublicSSH();
}

/** The SSH wire blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), or an Error. */
export function publicKeyBlob(text: string): Buffer | Error {
  const parsed = ssh2.utils.parseKey(text.trim());
  if (parsed instanceof Error) return parsed;
  const one = Array.isArray(parsed) ? parsed[0] : parsed;
  return one ? one.getPublicSSH() : new Error('no key in the file');
}

export class SelectedKeyAgent extends ssh2.BaseAgent<AnyKey> {
  constructor(
    private readonly inner: BaseAgent,
    private readonly wanted: Buffer,
    private readonly only: boolean,
    /** How the wanted key is named in an error, e.g. the .pub file's path. */
    private readonly label: string,
  ) {
    super();
  }

  getIdentities(cb: IdentityCallback<AnyKey>): void {
    this.inner.getIdentities((err, keys) => {
      if (err || !keys) {
        cb(err ?? new Error('the agent listed no keys'));
        return;
      }
      const match = keys.filter((k) => blobOf(k)?.equals(this.wanted));
      if (match.length === 0 && this.only) {
        cb(new Error(`the agent does not hold the key of ${this.label} (IdentitiesOnly allows no other) — add it to the agent (ssh-add, or your password manager's SSH agent)`));
        return;
      }
      cb(undefined, this.only ? match : [...match, ...keys.filter((k) => !match.includes(k))]);
    });
  }

  sign(pubKey: AnyKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    if (typeof options === 'function') this.inner.sign(pubKey, data, options);
    else this.inner.sign(pubKey, data, options, cb);
  }
}
