// SSH and SOCKS scenarios of `npm run bench` (BENCH_ONLY id `ssh`): Porthole's ssh-local, ssh-dynamic
// and socks rules against OpenSSH `ssh -L` / `ssh -D` (to the same throwaway sshd) and microsocks.
//
//   sshL, sshLR   iperf3 1 stream through -L, client→server and -R (server→client); direct for scale
//   proxyTput     curl of a 256 MiB HTTP body via SOCKS5: porthole ssh-dynamic vs ssh -D, porthole socks
//                 vs microsocks (and direct)
//   proxyConn     N sequential SOCKS5 connects + 64 B echo (bench/tools/socks-connrate.mjs)
//
// Porthole runs as `cli.js ui` on a data dir set up through its WebSocket API (the JSON profile reader
// takes rules only, and SSH rules need a saved server). During every run the CPU time of the forwarder
// (porthole / ssh / microsocks) and of the whole sshd tree is sampled from /proc, to show what bounds it.
// Every process is spawned through bench/lib/procs.mjs (killed by group; sshd also by process tree).
// The table, targets and notes are built by bench/lib/ssh-report.mjs.
// BENCH_SSH_ROUNDS (default min(rounds, 3)), BENCH_SSH_BLOB_MIB, BENCH_SSH_CONNS, BENCH_SSH_CONN_SECONDS tune it;
// BENCH_SSH_CPU_PROF=DIR runs porthole under node --cpu-prof (profile written to DIR when it stops).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { CFG, CLI, QUICK, ROOT, envNum } from './lib/config.mjs';
import { startNodeServer } from './lib/contenders.mjs';
import { withCpu } from './lib/cpu.mjs';
import { iperf } from './lib/measure.mjs';
import { fileHas, freeTcpPort, getTmpDir, isBound, log, logPath, runCmd, runTool, spawnProc, waitFor } from './lib/procs.mjs';
import { sshReport } from './lib/ssh-report.mjs';
import { startSshd as startSshdAt } from './lib/sshd.mjs';

const SSH = {
  blobMiB: envNum('BENCH_SSH_BLOB_MIB', QUICK ? 64 : 256),
  // Enough connections, after a warm-up long enough for the JIT, that a round measures steady work
  // (200 after 10 was over in 0.2 s and measured mostly cold code).
  conns: envNum('BENCH_SSH_CONNS', QUICK ? 200 : 3000),
  connWarmup: envNum('BENCH_SSH_CONN_WARMUP', QUICK ? 50 : 300),
  connSize: 64,
  connMaxSeconds: envNum('BENCH_SSH_CONN_SECONDS', QUICK ? 1 : 2),
  /** Fewer rounds than the TCP scenarios by default, to keep the whole bench near 8 minutes. */
  rounds: envNum('BENCH_SSH_ROUNDS', Math.min(CFG.rounds, 3)),
  /** BENCH_SSH_CPU_PROF=DIR: run porthole under node --cpu-prof, profile written to DIR at exit. */
  cpuProfDir: process.env.BENCH_SSH_CPU_PROF || undefined,
  target: 0.6,
};

// ---------------------------------------------------------------------------------------------------
// sshd, the OpenSSH clients, microsocks

/** sshd for the SSH scenarios: DEBUG1 logs the negotiated cipher of every client ("kex: client->server
 * cipher: …"); it logs per channel, not per packet. */
export function startSshd(dir) {
  return startSshdAt(dir, { logLevel: 'DEBUG1' });
}

async function startOpenSsh(name, sshd, forwardArgs, listenPort) {
  const logFile = logPath(name);
  const args = [
    '-N', '-v',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'ExitOnForwardFailure=yes',
    '-i', sshd.userKey,
    ...forwardArgs,
    '-p', String(sshd.port),
    'root@127.0.0.1',
  ];
  const entry = spawnProc(name, 'ssh', args, { logFile });
  await waitFor(name, () => isBound(listenPort, 'tcp') && fileHas(logFile, /Entering interactive session|pledge: network/), entry, 15_000);
  const m = /kex: server->client cipher: (\S+) MAC: (\S+)/.exec(readFileSync(logFile, 'utf8'));
  return { entry, cipher: m ? `${m[1]}${m[2] === '<implicit>' ? '' : ` + ${m[2]}`}` : 'unknown' };
}

async function startMicrosocks(port) {
  const entry = spawnProc('microsocks', 'microsocks', ['-i', '127.0.0.1', '-p', String(port)], { logFile: logPath('microsocks') });
  await waitFor('microsocks', () => isBound(port, 'tcp'), entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------------
// Porthole: `cli.js ui` and its WebSocket API

async function apiConnect(uiUrl) {
  const u = new URL(uiUrl);
  const token = /token=([0-9a-fA-F]+)/.exec(u.hash)?.[1];
  if (!token) throw new Error(`no token in ${uiUrl}`);
  const ws = new WebSocket(`ws://${u.host}/api`, { headers: { Origin: u.origin } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // The token goes in the first message (never the URL); calls may follow once the host says ready.
  await new Promise((resolve, reject) => {
    ws.once('message', (d) => (JSON.parse(d.toString()).t === 'ready' ? resolve() : reject(new Error(`unexpected first message ${d}`))));
    ws.once('close', (code) => reject(new Error(`the host refused the API socket (${code})`)));
    ws.send(JSON.stringify({ t: 'auth', token }));
  });
  let nextId = 0;
  const pending = new Map();
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString());
    if (msg.t !== 'result' || !pending.has(msg.id)) return;
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.r?.ok) resolve(msg.r.value);
    else reject(new Error(msg.r?.error?.message ?? 'no result'));
  });
  const call = (m, a) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ t: 'call', id, m, a }));
    });
  return { call, close: () => ws.close() };
}

async function startPortholeUi(dataDir) {
  const logFile = logPath('porthole-ui');
  const prof = SSH.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${SSH.cpuProfDir}`] : [];
  const entry = spawnProc('porthole-ui', process.execPath, [...prof, CLI, 'ui', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { logFile });
  let url;
  await waitFor('porthole ui', () => (url = /Porthole UI: (http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1]) !== undefined, entry, 20_000);
  return { entry, api: await apiConnect(url), logFile };
}

async function portholeRules(api, sshd, ports, iperfPort) {
  const server = await api.call('servers.create', {
    server: { name: 'bench', host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: sshd.userKey }, hostKeyPolicy: 'accept-new' },
  });
  const id = server.server.id;
  const listen = (port) => ({ host: '127.0.0.1', port });
  const drafts = [
    { type: 'ssh-local', name: 'bench -L', enabled: true, server: id, listen: listen(ports.L), target: { host: '127.0.0.1', port: iperfPort } },
    { type: 'ssh-dynamic', name: 'bench -D', enabled: true, server: id, listen: listen(ports.D) },
    { type: 'socks', name: 'bench socks', enabled: true, listen: listen(ports.socks) },
  ];
  for (const d of drafts) await api.call('rules.create', d);
  let entries = [];
  try {
    await waitFor(
      'porthole ssh rules running',
      async () => (entries = await api.call('rules.list')).length >= drafts.length && entries.every((e) => e.status.state === 'running'),
      undefined,
      20_000,
    );
  } catch (err) {
    const states = entries.map((e) => `${e.rule.name}: ${e.status.state}${e.status.error ? ` (${e.status.error.message ?? JSON.stringify(e.status.error)})` : ''}`);
    throw new Error(`${err.message}: ${states.join('; ')}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------
// Measurements

async function curlBlob(httpPort, socksPort) {
  const args = ['-s', '-S', '--max-time', '120', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{speed_download} %{time_total}'];
  if (socksPort) args.push('--socks5-hostname', `127.0.0.1:${socksPort}`);
  args.push(`http://127.0.0.1:${httpPort}/big?mib=${SSH.blobMiB}`);
  const r = await runCmd('curl', args, 150_000);
  const [code, size, speed, secs] = r.out.trim().split(' ');
  if (r.code !== 0 || code !== '200' || Number(size) !== SSH.blobMiB * 2 ** 20) {
    return { error: `curl exit ${r.code}, HTTP ${code}, ${size} bytes: ${r.err.trim().slice(0, 200)}` };
  }
  return { mbps: Math.round((Number(speed) / 1e6) * 10) / 10, seconds: Number(secs) };
}

// ---------------------------------------------------------------------------------------------------

/** Starts everything the SSH scenarios share; returns { scenarios, report(M, get), facts }. */
export async function setupSsh() {
  const tmp = getTmpDir();
  const sshd = await startSshd(path.join(tmp, 'sshd'));
  const iperfPort = await freeTcpPort();
  const iperfSrv = spawnProc('iperf3-server-ssh', 'iperf3', ['-s', '-p', String(iperfPort), '-B', '127.0.0.1'], { logFile: logPath('iperf3-server-ssh') });
  await waitFor('iperf3 server (ssh)', () => isBound(iperfPort, 'tcp'), iperfSrv);
  const httpPort = await freeTcpPort();
  await startNodeServer('http-blob', 'http-blob.mjs', httpPort);
  const echoPort = await freeTcpPort();
  await startNodeServer('tcp-echo-ssh', 'tcp-echo.mjs', echoPort);

  const ports = { L: await freeTcpPort(), D: await freeTcpPort(), socks: await freeTcpPort(), sshL: await freeTcpPort(), sshD: await freeTcpPort(), microsocks: await freeTcpPort() };

  // Porthole first, alone, so the kex lines sshd logs next are its session's.
  const logMark = readFileSync(sshd.logFile, 'utf8').length;
  const ph = await startPortholeUi(path.join(tmp, 'porthole-data'));
  await portholeRules(ph.api, sshd, ports, iperfPort);
  ph.api.close();
  const sshdLog = readFileSync(sshd.logFile, 'utf8').slice(logMark);
  const pm = /kex: client->server cipher: (\S+) MAC: (\S+)/.exec(sshdLog);
  const portholeCipher = pm ? `${pm[1]}${pm[2] === '<implicit>' ? '' : ` + ${pm[2]}`}` : 'unknown';
  const portholeIdent = /remote software version (\S+)/.exec(sshdLog)?.[1] ?? 'unknown';

  const sshL = await startOpenSsh('ssh-L', sshd, ['-L', `127.0.0.1:${ports.sshL}:127.0.0.1:${iperfPort}`], ports.sshL);
  const sshD = await startOpenSsh('ssh-D', sshd, ['-D', `127.0.0.1:${ports.sshD}`], ports.sshD);
  const micro = await startMicrosocks(ports.microsocks);

  const php = ph.entry.child.pid;
  const facts = {
    portholeCipher,
    portholeIdent,
    opensshCipher: sshL.cipher,
    openssh: `${spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr ?? ''}`.trim(),
    ssh2: JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'ssh2', 'package.json'), 'utf8')).version,
    blobMiB: SSH.blobMiB,
    conns: SSH.conns,
    connMaxSeconds: SSH.connMaxSeconds,
    connWarmup: SSH.connWarmup,
    rounds: SSH.rounds,
    cpuProfDir: SSH.cpuProfDir,
  };
  log(`bench: ssh — porthole (${portholeIdent}) negotiated ${portholeCipher}; OpenSSH ssh negotiated ${sshL.cipher}`);

  // Which process forwards for each contender (its CPU is sampled), and whether sshd is involved.
  const fwdPid = { porthole: php, openssh: sshL.entry.child.pid, 'porthole-D': php, 'ssh-D': sshD.entry.child.pid, 'porthole-socks': php, microsocks: micro.child.pid };
  const cpuGroups = (c) => {
    const g = {};
    if (fwdPid[c]) g.fwd = [fwdPid[c]];
    if (['porthole', 'openssh', 'porthole-D', 'ssh-D'].includes(c)) g.sshd = sshd.pids;
    return g;
  };
  const Lport = { direct: iperfPort, porthole: ports.L, openssh: ports.sshL };
  const socksPort = { direct: 0, 'porthole-D': ports.D, 'ssh-D': ports.sshD, 'porthole-socks': ports.socks, microsocks: ports.microsocks };
  const PROXIES = ['direct', 'porthole-D', 'ssh-D', 'porthole-socks', 'microsocks'];
  const scenarios = [
    { id: 'sshL', contenders: ['direct', 'porthole', 'openssh'], run: (c) => withCpu(cpuGroups(c), () => iperf(Lport[c], 1)) },
    { id: 'sshLR', contenders: ['direct', 'porthole', 'openssh'], run: (c) => withCpu(cpuGroups(c), () => iperf(Lport[c], 1, ['-R'])) },
    { id: 'proxyTput', contenders: PROXIES, run: (c) => withCpu(cpuGroups(c), () => curlBlob(httpPort, socksPort[c])) },
    {
      id: 'proxyConn',
      contenders: PROXIES,
      run: (c) => withCpu(cpuGroups(c), () => runTool('socks-connrate.mjs', [socksPort[c], echoPort, SSH.conns, SSH.connSize, SSH.connWarmup, SSH.connMaxSeconds], 60_000)),
    },
  ].map((sc) => ({ ...sc, rounds: SSH.rounds }));
  return { scenarios, facts, report: (M, get) => sshReport(M, get, facts, SSH), ports: { ...ports, iperf: iperfPort, http: httpPort, echo: echoPort } };
}
