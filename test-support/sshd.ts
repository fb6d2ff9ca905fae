// A real OpenSSH sshd on a loopback port, for SSH integration tests: generated host and user keys in a
// temp dir, its own sshd_config, started in the foreground (-D -e) so its log arrives on stderr here.
// Every process it starts is killed, and the temp dir removed, by cleanup() (call it in afterEach/afterAll).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { tempDir, waitFor } from './tmp';

const run = promisify(execFile);

export const SSHD_PATH = '/usr/sbin/sshd';

/**
 * Whether the OpenSSH suites can run. Outside CI a missing sshd skips them with a loud line; with
 * CI=true it is a failure (shared/DESIGN.md "Tests and checks").
 */
export function sshdAvailable(): boolean {
  if (existsSync(SSHD_PATH) && existsSync('/usr/bin/ssh-keygen')) return true;
  const msg = `!!! SKIPPED: the OpenSSH integration tests need openssh-server (${SSHD_PATH}) and openssh-client — install them with: apt-get install -y openssh-server openssh-client`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(msg);
  return false;
}

export interface SshdFixture {
  host: '127.0.0.1';
  port: number;
  dir: string;
  user: string;
  /** `ssh-keygen -lf` of the current host key, e.g. SHA256:abc… */
  hostKeyFingerprint: string;
  /** The current host key as a known_hosts line for this host and port. */
  knownHostsLine(): string;
  /** Authorized, no passphrase. */
  userKeyPath: string;
  /** Authorized, passphrase `correct horse`. */
  passphraseKeyPath: string;
  /** A valid key that is NOT in authorized_keys. */
  strangerKeyPath: string;
  /** sshd's log lines so far. */
  log: string[];
  /** How many TCP connections sshd has accepted since start (from its VERBOSE log). */
  connectionCount(): number;
  /** Kills sshd and every session process it forked (as a crash or reboot would). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with a new host key if asked. */
  restart(opts?: { newHostKey?: boolean }): Promise<void>;
  cleanup(): Promise<void>;
}

export const PASSPHRASE = 'correct horse';

/** An ed25519 key pair made by ssh-keygen (ssh2's own generator drops a leading zero byte of the
 *  public key about once in 400 keys, and then cannot parse what it made). */
export async function keygen(path: string, passphrase = ''): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'porthole-test', '-f', path]);
}

async function fingerprintOf(pubPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-lf', pubPath]);
  const fp = stdout.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output: ${stdout}`);
  return fp;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** Every descendant pid of `pid`: sshd's session processes call setsid(), so a process-group kill misses them. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export async function startSshd(): Promise<SshdFixture> {
  const tmp = tempDir('porthole-sshd-');
  const dir = tmp.dir;
  const hostKey = join(dir, 'host_ed25519');
  const userKeyPath = join(dir, 'user_ed25519');
  const passphraseKeyPath = join(dir, 'user_pass_ed25519');
  const strangerKeyPath = join(dir, 'stranger_ed25519');
  await Promise.all([keygen(hostKey), keygen(userKeyPath), keygen(passphraseKeyPath, PASSPHRASE), keygen(strangerKeyPath)]);
  writeFileSync(
    join(dir, 'authorized_keys'),
    readFileSync(`${userKeyPath}.pub`, 'utf8') + readFileSync(`${passphraseKeyPath}.pub`, 'utf8'),
    { mode: 0o600 },
  );
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'GatewayPorts no',
      'ClientAliveInterval 0',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  // Privilege separation needs this directory; Debian creates it only when the service is started.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const log: string[] = [];
  let child: ChildProcess | undefined;
  const fixture: SshdFixture = {
    host: '127.0.0.1',
    port,
    dir,
    user: userInfo().username,
    hostKeyFingerprint: await fingerprintOf(`${hostKey}.pub`),
    knownHostsLine: () => {
      const [type, b64] = readFileSync(`${hostKey}.pub`, 'utf8').split(' ');
      return `[127.0.0.1]:${port} ${type} ${b64}`;
    },
    userKeyPath,
    passphraseKeyPath,
    strangerKeyPath,
    log,
    connectionCount: () => log.filter((l) => /Connection from 127\.0\.0\.1 port \d+ on/.test(l)).length,
    stop: async () => {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      for (const pid of descendants(c.pid as number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      c.kill('SIGKILL');
      await exited;
    },
    restart: async (opts = {}) => {
      await fixture.stop();
      if (opts.newHostKey) {
        for (const f of [hostKey, `${hostKey}.pub`]) rmSync(f, { force: true });
        await keygen(hostKey);
        fixture.hostKeyFingerprint = await fingerprintOf(`${hostKey}.pub`);
      }
      await launch();
    },
    cleanup: async () => {
      await fixture.stop();
      tmp.cleanup();
    },
  };

  async function launch(): Promise<void> {
    // sshd re-executes itself for each connection, so it insists on an absolute path.
    const c = spawn(SSHD_PATH, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let buffered = '';
    let listening = false;
    c.stderr?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        if (line.includes(`Server listening on 127.0.0.1 port ${port}`)) listening = true;
      }
    });
    await waitFor(() => listening || c.exitCode !== null, `sshd to listen on port ${port}`, 10_000);
    if (!listening) throw new Error(`sshd exited with ${c.exitCode}:\n${log.join('\n')}`);
  }

  try {
    await launch();
  } catch (err) {
    await fixture.cleanup();
    throw err;
  }
  return fixture;
}

/** A real ssh-agent on a socket in `dir`, holding the given keys. */
export async function startAgent(dir: string, keys: string[]): Promise<{ socket: string; stop: () => Promise<void> }> {
  const socket = join(dir, `agent-${process.pid}-${Date.now()}.sock`);
  // -D: stay in the foreground, so the child is the agent itself and killing it is enough.
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  agent.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('SSH_AUTH_SOCK=') || agent.exitCode !== null, 'ssh-agent to start', 10_000);
  if (agent.exitCode !== null) throw new Error(`ssh-agent exited with ${agent.exitCode}`);
  for (const key of keys) await run('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return {
    socket,
    stop: async () => {
      if (agent.exitCode !== null || agent.signalCode !== null) return;
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGKILL');
      await exited;
    },
  };
}
