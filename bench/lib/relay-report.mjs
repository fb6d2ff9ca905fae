// The relay part of latest.md (bench/relay-scenarios.mjs): porthole relay vs OpenSSH ssh -R and direct
// loopback, the CPU of each side, idle memory, the relay variants (HTTP/2 windows, TLS off), one line per
// figure on what bounds it, the target and the notes.
import { fmt, fmtRatio, judge, ratio } from './report.mjs';

const kib = (n) => (n >= 2 ** 20 ? `${n / 2 ** 20} MiB` : `${Math.round(n / 1024)} KiB`);

export function relayReport(M, get, facts) {
  const ssh = !facts.opensshMissing;
  const cps = `relayCps${facts.cpsConcurrency}`;
  const rows = [];
  const line = (label, v, d, lowerIsBetter) =>
    rows.push(`| ${label}${lowerIsBetter ? ' ↓' : ''} | ${fmt(v.direct, d)} | ${fmt(v.relay, d)} | ${fmt(v.ssh, d)} | ${fmtRatio(ratio(v.relay, v.ssh))} | ${fmtRatio(ratio(v.relay, v.direct))} |`);
  const row = (label, id, key, d, { lowerIsBetter = false, direct = true } = {}) => {
    if (M[id]) line(label, { direct: direct ? get(id, 'direct', key) : undefined, relay: get(id, 'relay', key), ssh: get(id, 'ssh-R', key) }, d, lowerIsBetter);
  };
  const cpuCell = (id, c) => (M[id]?.[c] ? `${fmt(get(id, c, 'pubCpuPct'))} / ${fmt(get(id, c, 'agentCpuPct'))}` : '–');
  const cpuRow = (id) => {
    if (M[id]) rows.push(`| ↳ CPU % relay side / agent side (100 = 1 core) | – | ${cpuCell(id, 'relay')} | ${cpuCell(id, 'ssh-R')} | – | – |`);
  };
  const added = (pct) => {
    const d = get('relayRtt', 'direct', pct);
    const a = (c) => (get('relayRtt', c, pct) === undefined || d === undefined ? undefined : get('relayRtt', c, pct) - d);
    if (M.relayRtt) line(`Round trip added over direct, ${pct} (µs)`, { direct: 0, relay: a('relay'), ssh: a('ssh-R') }, 0, true);
  };
  for (const [id, label] of [
    ['relayTput1', 'Throughput, 1 stream, client → target (Gbit/s)'],
    ['relayTput1R', 'Throughput, 1 stream, target → client, iperf3 -R (Gbit/s)'],
    ['relayTput8', 'Throughput, 8 streams, client → target (Gbit/s)'],
  ]) {
    row(label, id, 'gbps', 2);
    cpuRow(id);
    row('↳ CPU seconds per GB carried, both sides', id, 'cpuSecPerGB', 2, { lowerIsBetter: true, direct: false });
  }
  row(`Round trip ${facts.pingSize} B, p50 (µs)`, 'relayRtt', 'p50', 0, { lowerIsBetter: true });
  row(`Round trip ${facts.pingSize} B, p99 (µs)`, 'relayRtt', 'p99', 0, { lowerIsBetter: true });
  added('p50');
  added('p99');
  for (const [id, label] of [
    ['relayCps1', 'Connections/s, serial'],
    [cps, `Connections/s, ${facts.cpsConcurrency} concurrent`],
  ]) {
    row(label, id, 'rate', 0);
    cpuRow(id);
    row('↳ CPU ms per connection, both sides', id, 'cpuMsPerConn', 2, { lowerIsBetter: true, direct: false });
  }
  const n = fmt(facts.idleConnections);
  row(`Idle: relay side RSS per connection (KiB, ${n} conns)`, 'relayIdle', 'pubKiBPerConn', 2, { lowerIsBetter: true, direct: false });
  row(`Idle: agent side RSS per connection (KiB, ${n} conns)`, 'relayIdle', 'agentKiBPerConn', 2, { lowerIsBetter: true, direct: false });
  row('Idle: relay side RSS before the connections (MiB)', 'relayIdle', 'pubBaseMiB', 1, { lowerIsBetter: true, direct: false });
  row('Idle: agent side RSS before the connections (MiB)', 'relayIdle', 'agentBaseMiB', 1, { lowerIsBetter: true, direct: false });

  const section = [
    `| Relay scenario | direct | porthole relay | ${ssh ? 'OpenSSH ssh -R' : 'ssh -R (not run)'} | relay ÷ ssh -R | relay ÷ direct |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    ...variantsTable(M, get, facts),
    '',
    'What bounds each relay figure (medians of this run; CPU from /proc, 100 = one core):',
    '',
    ...bounds(M, get, facts).map((b) => `- ${b}`),
  ].join('\n');

  const targets = [];
  if (M.relayTput1) {
    const r = ratio(get('relayTput1', 'relay', 'gbps'), get('relayTput1', 'ssh-R', 'gbps'));
    targets.push(judge('Relay throughput 1 stream vs OpenSSH ssh -R', `≥ ${facts.target.toFixed(2)}×`, r, fmtRatio(r), facts.target, true));
  }

  const w = facts.windows;
  const notes = [
    `Relay: Porthole's RelayServer and RelayAgent (src-main/relay) in two Node processes of their own (bench/tools/relay-node.ts, bundled by vite for Node 20 like the app), ${facts.tls}, self-signed EC P-256 certificate pinned by fingerprint, HTTP/2 with the relay as client, the agent dials the target. Shipped windows: ${kib(w.stream)} per stream, ${kib(w.session)} per session, ${kib(w.frame)} frames.`,
    ssh
      ? `ssh -R: \`ssh -tt -R 127.0.0.1:P:127.0.0.1:T root@127.0.0.1 sleep infinity\` (one process, both public ports in one session, as after an interactive login) to a throwaway sshd on 127.0.0.1 at LogLevel INFO (ed25519 keys, UsePAM no); sshd holds the public port, the ssh client dials the target; default cipher ${facts.opensshCipher}. Its relay-side CPU and memory are those of every sshd process. Not \`ssh -N\`: without a session OpenSSH leaves Nagle on for its connection and each new forwarded connection waits ~40 ms for a delayed ACK (by hand: 22 serial connections/s with -N, 274 with -tt).`
      : `ssh -R not run: ${facts.opensshMissing}.`,
    `Relay method: ${facts.rounds} rounds (BENCH_RELAY_ROUNDS), contenders interleaved; iperf3 -t ${facts.iperfSeconds} (receiver bits/s) after a 1 s warm-up pass through each relay; round trip ${facts.pingCount} × ${facts.pingSize} B after ${facts.pingWarmup} warm-up; connections/s ${facts.cpsSeconds} s per run; idle: fresh relay + agent (or ssh -R session) per round, VmRSS after ${n} connections (each proven with a 1 B echo, then idle, 1 s settle) minus before, per side. Targets: iperf3 server and Node echo server; everything on 127.0.0.1 and the same ${facts.cores ?? 2} cores.`,
  ];
  return { section, targets, notes };
}

function variantsTable(M, get, facts) {
  const note = facts.noVariants ? ['', `Relay variants: ${facts.noVariants}.`] : [];
  if (!facts.variants.length) return note;
  const base1 = get('relayTput1', 'relay', 'gbps');
  const base8 = get('relayTput8', 'relay', 'gbps');
  const line = (label, c) => {
    const a = get('relayTput1', c, 'gbps');
    const b = get('relayTput8', c, 'gbps');
    const cpu = M.relayTput1?.[c] ? `${fmt(get('relayTput1', c, 'pubCpuPct'))} / ${fmt(get('relayTput1', c, 'agentCpuPct'))}` : '–';
    return `| ${label} | ${fmt(a, 2)} | ${fmtRatio(ratio(a, base1))} | ${fmt(b, 2)} | ${fmtRatio(ratio(b, base8))} | ${cpu} | ${fmt(get('relayTput1', c, 'cpuSecPerGB'), 2)} |`;
  };
  const w = facts.windows;
  return [
    ...note,
    '',
    '| Relay variant (relay and agent alike) | 1 stream (Gbit/s) | ÷ shipped | 8 streams (Gbit/s) | ÷ shipped | CPU % relay / agent, 1 stream | CPU s/GB, 1 stream ↓ |',
    '|---|---:|---:|---:|---:|---:|---:|',
    line(`shipped: ${kib(w.stream)} stream, ${kib(w.session)} session, ${kib(w.frame)} frames, TLS`, 'relay'),
    ...facts.variants.map((v) => line(v.label, v.id)),
  ];
}

/** One line per figure on what limits it, with this run's CPU figures in it. */
function bounds(M, get, facts) {
  const out = [];
  const g = get;
  const cores = `${(facts.cores ?? 2) * 100}`;
  const sides = (id) => `relay ${fmt(g(id, 'relay', 'pubCpuPct'))}% (kernel ${fmt(g(id, 'relay', 'pubSysPct'))}), agent ${fmt(g(id, 'relay', 'agentCpuPct'))}% (kernel ${fmt(g(id, 'relay', 'agentSysPct'))})`;
  const machine = (id) => `machine ${fmt(g(id, 'relay', 'machineCpuPct'))}% of ${cores} busy`;
  const vsSsh = (id, key, d, unit) => {
    const r = g(id, 'relay', key);
    const s = g(id, 'ssh-R', key);
    return `${fmt(r, d)} ${unit}${s !== undefined ? ` (${fmtRatio(ratio(r, s))} ssh -R's ${fmt(s, d)})` : ''}`;
  };
  const plain = facts.variants.some((v) => v.id === 'relay-plain') ? ratio(g('relayTput1', 'relay-plain', 'gbps'), g('relayTput1', 'relay', 'gbps')) : undefined;
  if (M.relayTput1) {
    out.push(
      `Throughput 1 stream: CPU per byte in the two Node processes, ${vsSsh('relayTput1', 'cpuSecPerGB', 1, 'CPU-s/GB')}. A by-hand perf record of both: ~40% kernel (loopback socket copies, wake-ups), ~10% AES-GCM, ~10% V8 garbage collection (concurrent major marking), ~5% memcpy, the rest Node\u2019s stream and HTTP/2 plumbing (JS, nghttp2, malloc), one thread per side${plain !== undefined ? `; TLS off gives ${fmtRatio(plain)}` : ''}. Neither side fills a core (${sides('relayTput1')}): the same cores run iperf3 client and server (${machine('relayTput1')}).`,
    );
  }
  const refH2 = g('relayTput1', 'ref-h2', 'gbps');
  const refSocat = g('relayTput1', 'ref-socat-tls', 'gbps');
  if (M.relayTput1 && (refH2 !== undefined || refSocat !== undefined)) {
    const shipped = g('relayTput1', 'relay', 'gbps');
    const ssh = g('relayTput1', 'ssh-R', 'gbps');
    const parts = [];
    if (refH2 !== undefined)
      parts.push(
        `the smallest TLS + node:http2 tunnel (the transport DESIGN.md prescribes, nothing else) moves ${fmt(refH2, 2)} Gbit/s (${fmtRatio(ratio(refH2, ssh))} ssh -R; Porthole's relay ${fmtRatio(ratio(shipped, refH2))} of it) at ${fmt(g('relayTput1', 'ref-h2', 'cpuSecPerGB'), 1)} CPU-s/GB`,
      );
    if (refSocat !== undefined)
      parts.push(`a socat pair over TLS in C, with no multiplexer and 256 KiB buffers, ${fmt(refSocat, 2)} Gbit/s (${fmtRatio(ratio(refSocat, ssh))} ssh -R) at ${fmt(g('relayTput1', 'ref-socat-tls', 'cpuSecPerGB'), 1)} CPU-s/GB`);
    const own = ratio(shipped, refH2);
    const verdict =
      own === undefined
        ? ''
        : own >= 1.15
          ? ` The relay carries ${fmtRatio(own)} what the bare transport does (its splice moves bigger chunks than stream.pipe()), so the gap to ssh -R is the cost per byte of TLS + HTTP/2 in Node, not the relay\u2019s own code.`
          : own >= 0.85
          ? ' The relay carries about what the bare transport does, so the gap to ssh -R is the cost per byte of TLS + HTTP/2 in Node, not the relay\u2019s own code.'
          : ` The relay reaches ${fmtRatio(own)} of the bare transport: its own per-chunk work (meters, logs, the splice) costs the rest.`;
    out.push(`Throughput 1 stream, references on the same cores in the same rounds: ${parts.join('; ')}.${verdict}`);
  }
  if (M.relayTput1R) {
    out.push(`Throughput 1 stream -R: as for client → target, ${vsSsh('relayTput1R', 'cpuSecPerGB', 1, 'CPU-s/GB')}; ${sides('relayTput1R')}, ${machine('relayTput1R')}.`);
  }
  if (M.relayTput8) {
    out.push(
      `Throughput 8 streams: the same CPU per byte, ${vsSsh('relayTput8', 'cpuSecPerGB', 1, 'CPU-s/GB')}: the 8 streams share one TLS connection and one Node thread per side, so they get no more CPU than 1 stream (${sides('relayTput8')}, ${machine('relayTput8')}).`,
    );
  }
  if (M.relayRtt) {
    const d = g('relayRtt', 'direct', 'p50');
    const a = (c) => (g('relayRtt', c, 'p50') === undefined || d === undefined ? undefined : g('relayRtt', c, 'p50') - d);
    out.push(
      `Round trip: added p50 ${fmt(a('relay'))} µs (ssh -R ${fmt(a('ssh-R'))} µs) is two more process wake-ups each way, each a socket read, the JS stream hand-off and an HTTP/2 DATA frame in a TLS record (or the reverse); p99 is scheduling on the shared cores (${machine('relayRtt')}).`,
    );
  }
  if (M.relayCps1) {
    const rate = g('relayCps1', 'relay', 'rate');
    out.push(
      `Connections/s serial: one connection at a time, so the rate is the length of the chain: of the ${fmt(rate ? 1e6 / rate : undefined)} µs per connection, ${vsSsh('relayCps1', 'cpuMsPerConn', 2, 'ms')} is CPU in the relay and agent (accept, HTTP/2 stream HEADERS both ways with no extra round trip, the agent dialling the target, splice setup, END_STREAM both ways); the rest is the client, the echo server and waiting for the shared cores.`,
    );
  }
  const cps = `relayCps${facts.cpsConcurrency}`;
  if (M[cps]) {
    out.push(
      `Connections/s ${facts.cpsConcurrency} concurrent: CPU per connection, ${vsSsh(cps, 'cpuMsPerConn', 2, 'ms')} on the two sides (a socket, an HTTP/2 stream, the splice, meters and listeners built in JS on each side), on shared cores (${sides(cps)}; ${machine(cps)} with the client, the echo server and whatever else runs).`,
    );
  }
  if (M.relayIdle) {
    out.push(
      `Idle memory: per connection the relay holds the public socket and an HTTP/2 stream (${fmt(g('relayIdle', 'relay', 'pubKiBPerConn'), 1)} KiB), the agent the stream and the target socket (${fmt(g('relayIdle', 'relay', 'agentKiBPerConn'), 1)} KiB): JS objects and nghttp2 state, no data buffers while idle; ssh -R keeps a channel with its buffers on each side (${fmt(g('relayIdle', 'ssh-R', 'pubKiBPerConn'), 1)} / ${fmt(g('relayIdle', 'ssh-R', 'agentKiBPerConn'), 1)} KiB). The baseline is the Node runtime (${fmt(g('relayIdle', 'relay', 'pubBaseMiB'))} MiB per process) against a few MiB for sshd and ssh.`,
    );
  }
  return out;
}
