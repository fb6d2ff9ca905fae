import { existsSync } from 'node:fs';
import type { SshAuth } from '../../src-shared/model/ssh';
import { at, shownValue } from './ssh-config-options';
import type { ConfigLine } from './ssh-config-text';

// IdentityFile / IdentityAgent / IdentitiesOnly as OpenSSH reads them. A key whose private half lives
// only in an agent (1Password, Bitwarden, gpg-agent, ssh-agent) is named by its public key file
// (`IdentityFile ~/.ssh/id_ed25519.pub`), or by a private key path that exists only as `.pub`: OpenSSH
// then signs with the agent's key matching that public key, and so does Porthole.

export interface AuthInput {
  /** The first IdentityFile, its path with ~ and %-tokens expanded. */
  identity: { line: ConfigLine; path: string } | undefined;
  /** IdentityAgent: a socket path (expanded), `SSH_AUTH_SOCK` or `none`. */
  agent: { line: ConfigLine; path: string } | undefined;
  identitiesOnly: boolean;
  warn: (msg: string) => void;
}

/** `${NAME}` environment references, as OpenSSH expands them in IdentityAgent and IdentityFile. */
export function expandEnv(value: string, warn: (msg: string) => void, line: ConfigLine): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
    const v = process.env[name];
    if (v === undefined) {
      // A line of an included file is never quoted, not even the name of a variable in it.
      warn(line.included ? `${line.keyword}: an environment variable it names is not set here (${at(line)})` : `${line.keyword}: the environment variable ${name} is not set here (${at(line)}), so ${m} stays as written`);
      return m;
    }
    return v;
  });
}

export function authFor(input: AuthInput): SshAuth {
  const { identity, agent, identitiesOnly, warn } = input;
  const agentValue = agent?.line.args[0] ?? '';
  const agentOff = agent !== undefined && agentValue.toLowerCase() === 'none';
  // `IdentityAgent SSH_AUTH_SOCK` means the environment's agent, which is the default anyway.
  const socket = agent !== undefined && !agentOff && agentValue !== 'SSH_AUTH_SOCK' ? agent.path : undefined;
  const viaAgent = (publicKeyPath?: string): SshAuth => ({
    method: 'agent',
    ...(socket !== undefined ? { socket } : {}),
    ...(publicKeyPath !== undefined ? { publicKeyPath } : {}),
    ...(publicKeyPath !== undefined && identitiesOnly ? { identitiesOnly: true } : {}),
  });

  if (identity === undefined) {
    if (agentOff) warn(`IdentityAgent none and no IdentityFile (${at(agent!.line)}): Porthole has no key to offer — choose a key file in the server's settings`);
    else if (identitiesOnly) warn('IdentitiesOnly yes without an IdentityFile: Porthole offers every key the agent holds');
    return viaAgent();
  }
  const { line, path } = identity;
  const shown = shownValue(line, line.args[0]!);
  if (/\.pub$/i.test(path)) {
    // Not the line number for a line of this file: the same IdentityFile of many hosts is then one warning.
    if (!existsSync(path)) warn(`IdentityFile${shown}: the public key file is not on this machine${line.included ? ` (${at(line)})` : ''}; the agent cannot be asked for its key until it is`);
    if (agentOff) warn(`IdentityFile${shown} names a public key, whose private half only an agent has, but IdentityAgent none turns the agent off (${at(line)})`);
    return viaAgent(path);
  }
  if (!existsSync(path) && existsSync(`${path}.pub`)) {
    if (agentOff) warn(`IdentityFile${shown}: only the public half is on this machine and IdentityAgent none turns the agent off (${at(line)})`);
    return viaAgent(`${path}.pub`);
  }
  return { method: 'key', keyPath: path, hasPassphrase: false };
}
