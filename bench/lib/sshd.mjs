// A throwaway OpenSSH sshd on 127.0.0.1 for the benchmarks, and OpenSSH clients for it: generated
// ed25519 host and user keys in DIR, root by key, forwarding allowed. Spawned through procs.mjs with
// { tree: true }: sshd's session processes call setsid(), so they are also killed pid by pid.
// (bench/ssh-scenarios.mjs starts the same sshd at LogLevel DEBUG1.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { descendants, fileHas, freeTcpPort, isBound, logPath, runCmd, spawnProc, waitFor } from './procs.mjs';

export const SSHD = '/usr/sbin/sshd';

/** Why the OpenSSH contenders cannot run here, or undefined. */
export function opensshMissing() {
  for (const bin of [SSHD, 'ssh', 'ssh-keygen']) {
    const found = bin.startsWith('/') ? existsSync(bin) : spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
    if (!found) return `${bin} not found (apt-get install -y openssh-server openssh-client)`;
  }
  return undefined;
}

const keygen = (file) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'porthole-bench', '-f', file]);

/**
 * LogLevel INFO by default: at DEBUG1 sshd writes lines for every forwarded channel, which costs it
 * CPU in connection-rate runs.
 */
export async function startSshd(dir, { logLevel = 'INFO' } = {}) {
  mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'host_ed25519');
  const userKey = path.join(dir, 'user_ed25519');
  keygen(hostKey);
  keygen(userKey);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`, 'utf8'), { mode: 0o600 });
  const port = await freeTcpPort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'ClientAliveInterval 0',
      'MaxStartups 100',
      'MaxSessions 100',
      `LogLevel ${logLevel}`,
      '',
    ].join('\n'),
  );
  // Privilege separation needs this directory; Debian creates it only when the service is started.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const logFile = logPath('sshd');
  // sshd re-executes itself for each connection, so it needs its absolute path.
  const entry = spawnProc('sshd', SSHD, ['-D', '-e', '-f', config], { logFile, tree: true });
  await waitFor('sshd', () => fileHas(logFile, new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}`)), entry);
  return { entry, port, userKey, logFile, pids: () => [entry.child.pid, ...descendants(entry.child.pid)] };
}

const clientArgs = (sshd) => [
  '-o', 'BatchMode=yes',
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'ExitOnForwardFailure=yes',
  '-i', sshd.userKey,
  '-p', String(sshd.port),
];

/**
 * `ssh -tt -R 127.0.0.1:PUBLIC:127.0.0.1:TARGET … sleep infinity`: one process, one session, one -R per
 * pair, as after an interactive login. Not -N: without a tty session OpenSSH leaves Nagle on for the SSH
 * connection, and every new forwarded connection then waits ~40 ms for a delayed ACK (by hand here:
 * 22 serial connections/s with -N, 274 with -tt, same round trip). Not -v: it logs every channel.
 * Ready when sshd listens on every public port.
 */
export async function startSshR(name, sshd, pairs) {
  const forwards = pairs.flatMap(({ pub, target }) => ['-R', `127.0.0.1:${pub}:127.0.0.1:${target}`]);
  const args = ['-tt', ...clientArgs(sshd), ...forwards, 'root@127.0.0.1', 'sleep', 'infinity'];
  const entry = spawnProc(name, 'ssh', args, { logFile: logPath(name) });
  await waitFor(name, () => pairs.every(({ pub }) => isBound(pub, 'tcp')), entry, 15_000);
  return entry;
}

/** The cipher OpenSSH negotiates with this sshd by default, from a one-off `ssh -v … true`. */
export async function opensshCipher(sshd) {
  const r = await runCmd('ssh', ['-v', ...clientArgs(sshd), 'root@127.0.0.1', 'true'], 15_000);
  const m = /kex: server->client cipher: (\S+) MAC: (\S+)/.exec(r.err);
  return m ? `${m[1]}${m[2] === '<implicit>' ? '' : ` + ${m[2]}`}` : 'unknown';
}
