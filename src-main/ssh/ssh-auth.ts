import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, BaseAgent } from 'ssh2';
import type { SshServer } from '../../src-shared/model/ssh';
import { formatHostPort } from '../../src-shared/format/address';
import { EngineError } from '../engine/engine-error';
import { publicKeyBlob, SelectedKeyAgent } from './agent-key-filter';

/**
 * Secrets live in the host's vault; the session asks for them per connection attempt and keeps none.
 * Resolves undefined when none is saved; rejects (with a message for the person) when a saved one
 * cannot be read here, which fails the login with that message.
 */
export type SshSecrets = (request: { server: SshServer; kind: 'password' | 'passphrase' }) => Promise<string | undefined>;

export interface PreparedAuth {
  authHandler: AuthHandlerMiddleware;
  /** SSH method names actually offered to the server, for the AUTH_FAILED message. */
  tried: string[];
  /** Why the agent could not be used, if it could not (ssh2 reports it as a non-fatal 'agent' error). */
  agentProblem?: string;
}

export function serverLabel(server: SshServer): string {
  return `${server.user}@${formatHostPort(server.host, server.port)}`;
}

function authFailed(server: SshServer, what: string, cause?: unknown): EngineError {
  return new EngineError('AUTH_FAILED', `Cannot log in to ${serverLabel(server)}: ${what}`, cause);
}

/** The agent socket: an explicit one (tests, settings), else SSH_AUTH_SOCK, else Pageant on Windows. */
export function defaultAgent(): string | undefined {
  if (process.platform === 'win32') return process.env.SSH_AUTH_SOCK || 'pageant';
  return process.env.SSH_AUTH_SOCK || undefined;
}

async function savedSecret(server: SshServer, secrets: SshSecrets, kind: 'password' | 'passphrase'): Promise<string | undefined> {
  try {
    return await secrets({ server, kind });
  } catch (err) {
    throw authFailed(server, err instanceof Error ? err.message : String(err), err);
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/**
 * Everything that can be checked before dialling is checked here (key file readable, passphrase right,
 * an agent configured), so such mistakes fail once, locally, instead of costing a server round trip
 * (and a retry loop). Throws AUTH_FAILED.
 */
export async function prepareAuth(server: SshServer, secrets: SshSecrets, agentPath: string | undefined): Promise<PreparedAuth> {
  const username = server.user;
  const methods: AnyAuthMethod[] = [];
  const auth = server.auth;
  if (auth.method === 'agent') {
    // The server's own agent socket (ssh_config IdentityAgent) comes before the host's default.
    const socket = auth.socket !== undefined ? expandHome(auth.socket) : (agentPath ?? defaultAgent());
    if (!socket) {
      throw authFailed(server, 'no ssh-agent is running (SSH_AUTH_SOCK is not set) — start one and add your key with ssh-add, or choose a key file');
    }
    const agent = auth.publicKeyPath !== undefined ? await agentWithKey(server, socket, expandHome(auth.publicKeyPath), auth.identitiesOnly === true) : socket;
    methods.push({ type: 'agent', username, agent });
  } else if (auth.method === 'key') {
    const keyPath = expandHome(auth.keyPath);
    let data: Buffer;
    try {
      data = await readFile(keyPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // OpenSSH: a key whose private half is not on disk but whose .pub is, is the agent's to sign with.
      if (code === 'ENOENT' && (await readable(`${keyPath}.pub`))) {
        const socket = agentPath ?? defaultAgent();
        if (!socket) {
          throw authFailed(server, `${keyPath} is not on this machine, only ${keyPath}.pub — start the agent that holds its private key (ssh-agent, 1Password, Bitwarden, gpg-agent), or choose the private key file`, err);
        }
        methods.push({ type: 'agent', username, agent: await agentWithKey(server, socket, `${keyPath}.pub`, false) });
        return withHandler(methods);
      }
      throw authFailed(server, `cannot read the key file ${keyPath} (${code ?? String(err)}) — choose an existing private key file`, err);
    }
    const passphrase = auth.hasPassphrase ? await savedSecret(server, secrets, 'passphrase') : undefined;
    const parsed = ssh2.utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      const encrypted = /encrypt|passphrase|decrypt/i.test(parsed.message);
      throw authFailed(
        server,
        encrypted && passphrase !== undefined
          ? `the passphrase for ${keyPath} is wrong — enter it again`
          : encrypted
            ? `${keyPath} is protected by a passphrase — enter it in the server's settings`
            : `${keyPath} is not a private key ssh can use (${parsed.message})`,
        parsed,
      );
    }
    // Hand ssh2 the decrypted key: decrypting again (bcrypt KDF, pure JS here) would double a ~1 s cost.
    methods.push({ type: 'publickey', username, key: parsed });
  } else {
    const password = await savedSecret(server, secrets, 'password');
    if (password === undefined) throw authFailed(server, 'no password is saved — enter the password in the server\'s settings');
    methods.push({ type: 'password', username, password });
    // Many servers (PAM, 2FA front ends) offer only keyboard-interactive; answer every prompt with the password.
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }

  return withHandler(methods);
}

async function readable(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

/** The agent at `socket`, offering first (or, with `only`, solely) the key whose public half is in `pubPath`. */
async function agentWithKey(server: SshServer, socket: string, pubPath: string, only: boolean): Promise<BaseAgent> {
  let text: string;
  try {
    text = await readFile(pubPath, 'utf8');
  } catch (err) {
    throw authFailed(server, `cannot read the public key file ${pubPath} (${(err as NodeJS.ErrnoException).code ?? String(err)}) — Porthole asks the agent for the key it names`, err);
  }
  const blob = publicKeyBlob(text);
  if (blob instanceof Error) throw authFailed(server, `${pubPath} is not an OpenSSH public key (${blob.message})`, blob);
  return new SelectedKeyAgent(ssh2.createAgent(socket), blob, only, pubPath);
}

function withHandler(methods: AnyAuthMethod[]): PreparedAuth {
  const prepared: PreparedAuth = { tried: [], authHandler: () => undefined };
  let next = 0;
  prepared.authHandler = (authsLeft, _partial, callback) => {
    // authsLeft is null before the first answer; after that, skip what the server does not offer.
    const offered = (m: AnyAuthMethod): boolean => !authsLeft || authsLeft.includes(wireName(m.type));
    while (next < methods.length && !offered(methods[next] as AnyAuthMethod)) next++;
    const method = methods[next++];
    if (method === undefined) {
      (callback as (m: AnyAuthMethod | false) => void)(false);
      return;
    }
    const name = wireName(method.type);
    if (!prepared.tried.includes(name)) prepared.tried.push(name);
    callback(method);
  };
  return prepared;
}

/** The agent signs with publickey on the wire; the server lists methods by their wire names. */
function wireName(type: AuthenticationType): AuthenticationType {
  return type === 'agent' ? 'publickey' : type;
}
