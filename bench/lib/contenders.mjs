// The TCP/UDP contenders of `npm run bench`: Porthole's `forward` command, socat, haproxy and the Node
// target servers from bench/tools.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, TOOLS } from './config.mjs';
import { fileHas, getTmpDir, isBound, logPath, spawnProc, waitFor } from './procs.mjs';

/** Porthole CLI; stdout goes to a file (cheap, never blocks) which is polled for the `forwarding` line. */
export async function startPorthole(name, listenPort, targetPort, { udp = false, timeoutMs = 10_000, env, nodeArgs = [] } = {}) {
  const file = logPath(name);
  const args = [...nodeArgs, CLI, 'forward', ...(udp ? ['--udp'] : []), `127.0.0.1:${listenPort}`, `127.0.0.1:${targetPort}`];
  const entry = spawnProc(name, process.execPath, args, { logFile: file, ...(env ? { env } : {}) });
  entry.logFile = file;
  // The ready line is `<ISO time> forwarding [tcp|udp] HOST:PORT → …` (an error such as "UDP forwarding
  // is not available" must not count).
  await waitFor(name, () => fileHas(file, /^\S+ forwarding (?:\w+ )?\S+:\d+/m), entry, timeoutMs);
  return entry;
}

export async function startSocat(name, listenPort, targetPort, { udp = false } = {}) {
  const file = logPath(name);
  const args = udp
    ? // UDP-LISTEN + fork: the first datagram from a new client address forks a child holding a socket
      // connected to that client plus one connected to the target — a per-client session, like a real
      // UDP forwarder. -T 5 lets idle sessions exit.
      ['-T', '5', `UDP-LISTEN:${listenPort},bind=127.0.0.1,reuseaddr,fork`, `UDP:127.0.0.1:${targetPort}`]
    : [`TCP-LISTEN:${listenPort},bind=127.0.0.1,reuseaddr,fork,backlog=4096`, `TCP:127.0.0.1:${targetPort}`];
  const entry = spawnProc(name, 'socat', args, { logFile: file });
  await waitFor(name, () => isBound(listenPort, udp ? 'udp' : 'tcp'), entry);
  return entry;
}

// haproxy wants 2 fds per connection (+ some) and refuses to start when maxconn does not fit RLIMIT_NOFILE.
export const haproxy = { maxconn: 20_000 };

export async function startHaproxy(name, listenPort, targetPort) {
  const cfg = path.join(getTmpDir(), `${name}.cfg`);
  writeFileSync(
    cfg,
    [
      'global',
      `  maxconn ${haproxy.maxconn}`,
      '  nbthread 2',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend fe',
      `  bind 127.0.0.1:${listenPort}`,
      '  default_backend be',
      'backend be',
      `  server target 127.0.0.1:${targetPort}`,
      '',
    ].join('\n'),
  );
  const entry = spawnProc(name, '/usr/sbin/haproxy', ['-f', cfg, '-db'], { logFile: logPath(name) });
  await waitFor(name, () => isBound(listenPort, 'tcp'), entry);
  return entry;
}

/** A Node tool from bench/tools that prints {"ready":true} when up; `ports` is its port argument, or several. */
export async function startNodeServer(name, script, ports, { ipc = false, nodeArgs = [] } = {}) {
  const file = logPath(name);
  const entry = spawnProc(name, process.execPath, [...nodeArgs, path.join(TOOLS, script), ...[ports].flat().map(String)], { logFile: file, ipc });
  entry.logFile = file;
  await waitFor(name, () => fileHas(file, /"ready":true/), entry);
  return entry;
}

export function askCount(entry) {
  return new Promise((resolve) => {
    const onMsg = (m) => {
      if (typeof m?.count === 'number') {
        entry.child.off('message', onMsg);
        resolve(m.count);
      }
    };
    entry.child.on('message', onMsg);
    entry.child.send({ cmd: 'count' });
  });
}
