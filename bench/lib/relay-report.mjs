// The relay part of latest.md (bench/relay-scenarios.mjs): porthole relay vs OpenSSH ssh -R and direct
// loopback, the CPU of each side, idle memory, the HTTP/2 window variants, what bounds each figure,
// the target and the notes.
import { fmt, fmtRatio, judge, ratio } from './report.mjs';

export function relayReport(M, get, facts) {
  const has = (id, c) => M[id]?.[c] !== undefined;
  const ssh = !facts.opensshMissing;
  const rows = [];
  const row = (label, id, key, d, { lowerIsBetter = false, direct = true } = {}) => {
    if (!M[id]) return;
    const v = { direct: direct ? get(id, 'direct', key) : undefined, relay: get(id, 'relay', key), ssh: get(id, 'ssh-R', key) };
    rows.push(`| ${label}${lowerIsBetter ? ' ↓' : ''} | ${fmt(v.direct, d)} | ${fmt(v.relay, d)} | ${fmt(v.ssh, d)} | ${fmtRatio(ratio(v.relay, v.ssh))} | ${fmtRatio(ratio(v.relay, v.direct))} |`);
  };
  const cpuCell = (id, c) => (has(id, c) ? `${fmt(get(id, c, 'pubCpuPct'))} / ${fmt(get(id, c, 'agentCpuPct'))}` : '–');
  const cpuRow = (id) => {
    if (M[id]) rows.push(`| ↳ CPU % relay side / agent side (100 = 1 core) | – | ${cpuCell(id, 'relay')} | ${cpuCell(id, 'ssh-R')} | – | – |`);
  };
  const perGBRow = (id) => {
    if (!M[id]) return;
    const v = { relay: get(id, 'relay', 'cpuSecPerGB'), ssh: get(id, 'ssh-R', 'cpuSecPerGB') };
    rows.push(`| ↳ CPU seconds per GB carried, both sides ↓ | – | ${fmt(v.relay, 2)} | ${fmt(v.ssh, 2)} | ${fmtRatio(ratio(v.relay, v.ssh))} | – |`);
  };
  const added = (pct) => {
    if (!M.relayRtt) return;
    const d = get('relayRtt', 'direct', pct);
    const a = (c) => (get('relayRtt', c, pct) === undefined || d === undefined ? undefined : get('relayRtt', c, pct) - d);
    rows.push(`| Round trip added over direct, ${pct} (µs) ↓ | 0 | ${fmt(a('relay'))} | ${fmt(a('ssh-R'))} | ${fmtRatio(ratio(a('relay'), a('ssh-R')))} | – |`);
  };
  row('Throughput, 1 stream, client → target (Gbit/s)', 'relayTput1', 'gbps', 2);
  cpuRow('relayTput1');
  perGBRow('relayTput1');
  row('Throughput, 1 stream, target → client, iperf3 -R (Gbit/s)', 'relayTput1R', 'gbps', 2);
  cpuRow('relayTput1R');
  perGBRow('relayTput1R');
  row('Throughput, 8 streams, client → target (Gbit/s)', 'relayTput8', 'gbps', 2);
  cpuRow('relayTput8');
  perGBRow('relayTput8');
  row(`Round trip ${facts.pingSize} B, p50 (µs)`, 'relayRtt', 'p50', 0, { lowerIsBetter: true });
  row(`Round trip ${facts.pingSize} B, p99 (µs)`, 'relayRtt', 'p99', 0, { lowerIsBetter: true });
  added('p50');
  added('p99');
  row('Connections/s, serial', 'relayCps1', 'rate', 0);
  cpuRow('relayCps1');
  row(`Connections/s, ${facts.cpsConcurrency} concurrent`, `relayCps${facts.cpsConcurrency}`, 'rate', 0);
  cpuRow(`relayCps${facts.cpsConcurrency}`);
  row(`Idle: relay side RSS per connection (KiB, ${fmt(facts.idleConnections)} conns)`, 'relayIdle', 'pubKiBPerConn', 2, { lowerIsBetter: true, direct: false });
  row(`Idle: agent side RSS per connection (KiB, ${fmt(facts.idleConnections)} conns)`, 'relayIdle', 'agentKiBPerConn', 2, { lowerIsBetter: true, direct: false });
  row('Idle: relay side RSS before the connections (MiB)', 'relayIdle', 'pubBaseMiB', 1, { lowerIsBetter: true, direct: false });
  row('Idle: agent side RSS before the connections (MiB)', 'relayIdle', 'agentBaseMiB', 1, { lowerIsBetter: true, direct: false });

  const section = [
    `| Relay scenario | direct | porthole relay | ${ssh ? 'OpenSSH ssh -R' : 'ssh -R (not run)'} | relay ÷ ssh -R | relay ÷ direct |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    ...windowsTable(M, get, facts),
    '',
    'What bounds each relay figure (CPU % from /proc over each run, medians; 100 = one core, the machine has 2):',
    '',
    ...bounds(M, get, facts).map((b) => `- ${b}`),
  ].join('\n');

  const targets = [];
  if (M.relayTput1) {
    const r = ratio(get('relayTput1', 'relay', 'gbps'), get('relayTput1', 'ssh-R', 'gbps'));
    targets.push(judge('Relay throughput 1 stream vs OpenSSH ssh -R', `≥ ${facts.target.toFixed(2)}×`, r, fmtRatio(r), facts.target, true));
  }

  const notes = [
    `Relay: Porthole's RelayServer and RelayAgent (src-main/relay) in two Node processes of their own (bench/tools/relay-node.ts bundled by vite), ${facts.tls}, self-signed EC P-256 certificate pinned by fingerprint, HTTP/2 with the relay as client; the agent dials the target. Shipped windows: ${kib(facts.windows.stream)} per stream, ${kib(facts.windows.session)} per session, ${kib(facts.windows.frame)} frames.`,
    ssh
      ? `ssh -R: \`ssh -N -R 127.0.0.1:P:127.0.0.1:T\` (one process, both public ports in one session) to a throwaway sshd on 127.0.0.1 at LogLevel INFO (ed25519 keys, UsePAM no); sshd holds the public port, the ssh client dials the target; default cipher ${facts.opensshCipher}. Its relay-side CPU and memory are every sshd process's.`
      : `ssh -R not run: ${facts.opensshMissing}.`,
    `Relay method: ${facts.rounds} rounds (BENCH_RELAY_ROUNDS), contenders interleaved; iperf3 -t ${facts.iperfSeconds} (receiver bits/s), after a 1 s warm-up pass per path; round trip ${facts.pingCount} × ${facts.pingSize} B after ${facts.pingWarmup} warm-up; connections/s ${facts.cpsSeconds} s per run; idle: fresh relay + agent (or ssh -R session) per round, VmRSS after ${fmt(facts.idleConnections)} connections (each proven with a 1 B echo, then idle, 1 s settle) minus before, per side. Targets: iperf3 server and Node echo server; all on 127.0.0.1.`,
  ];
  return { section, targets, notes };
}

const kib = (n) => (n >= 2 ** 20 ? `${n / 2 ** 20} MiB` : `${Math.round(n / 1024)} KiB`);

function windowsTable(M, get, facts) {
  const note = facts.noVariants ? ['', `Relay variants: ${facts.noVariants}.`] : [];
  if (!facts.variants.length) return note;
  const base1 = get('relayTput1', 'relay', 'gbps');
  const base8 = get('relayTput8', 'relay', 'gbps');
  const line = (label, c) => {
    const a = get('relayTput1', c, 'gbps');
    const b = get('relayTput8', c, 'gbps');
    return `| ${label} | ${fmt(a, 2)} | ${fmtRatio(ratio(a, base1))} | ${fmt(b, 2)} | ${fmtRatio(ratio(b, base8))} | ${cpuCellOf(M, get, 'relayTput1', c)} | ${fmt(get('relayTput1', c, 'cpuSecPerGB'), 2)} |`;
  };
  return [
    ...note,
    '',
    '| Relay variant (relay and agent alike) | 1 stream (Gbit/s) | ÷ shipped | 8 streams (Gbit/s) | ÷ shipped | CPU % relay / agent, 1 stream | CPU s/GB, 1 stream ↓ |',
    '|---|---:|---:|---:|---:|---:|---:|',
    line(`shipped: ${kib(facts.windows.stream)} stream, ${kib(facts.windows.session)} session, ${kib(facts.windows.frame)} frames`, 'relay'),
    ...facts.variants.map((v) => line(v.label, v.id)),
  ];
}

const cpuCellOf = (M, get, id, c) => (M[id]?.[c] ? `${fmt(get(id, c, 'pubCpuPct'))} / ${fmt(get(id, c, 'agentCpuPct'))}` : '–');

/** One line per figure on what limits it, with the CPU measured in this run. */
function bounds(M, get, facts) {
  const out = [];
  const cpu = (id, c) => cpuCellOf(M, get, id, c);
  for (const [id, what] of [
    ['relayTput1', 'Throughput 1 stream'],
    ['relayTput1R', 'Throughput 1 stream -R'],
    ['relayTput8', 'Throughput 8 streams'],
    ['relayCps1', 'Connections/s serial'],
    [`relayCps${facts.cpsConcurrency}`, `Connections/s ${facts.cpsConcurrency} concurrent`],
  ]) {
    if (!M[id]) continue;
    out.push(`${what}: relay / agent at ${cpu(id, 'relay')} % CPU; sshd / ssh at ${cpu(id, 'ssh-R')} %.`);
  }
  if (M.relayRtt) out.push('Round trip: two extra process hops (relay, agent), each a TLS record and an HTTP/2 DATA frame per message.');
  if (M.relayIdle) out.push('Idle memory: per connection, an HTTP/2 stream object on each side plus the two sockets (public and target).');
  return out;
}
