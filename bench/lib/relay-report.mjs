// The relay part of latest.md (bench/relay-scenarios.mjs): porthole relay (data connections from the
// pool, and with the pool off) vs OpenSSH ssh -R and direct loopback, the CPU of each side, idle memory,
// every contender in both directions (TLS off, HTTP/2 windows, the references), one line per figure on
// what bounds it, the targets of issue 13 and the notes.
import { fmt, fmtRatio, judge, ratio } from './report.mjs';
import { usersNotes, usersTable, usersTargets } from './relay-users-report.mjs';

const kib = (n) => (n >= 2 ** 20 ? `${n / 2 ** 20} MiB` : `${Math.round(n / 1024)} KiB`);

export function relayReport(M, get, facts) {
  const ssh = !facts.opensshMissing;
  const off = facts.poolOff;
  const cps = `relayCps${facts.cpsConcurrency}`;
  const rows = [];
  const cols = ['direct', 'relay', off, 'ssh-R'];
  const line = (label, v, d, lowerIsBetter) =>
    rows.push(`| ${label}${lowerIsBetter ? ' ↓' : ''} | ${cols.map((c) => fmt(v[c], d)).join(' | ')} | ${fmtRatio(ratio(v.relay, v['ssh-R']))} | ${fmtRatio(ratio(v.relay, v[off]))} |`);
  const row = (label, id, key, d, { lowerIsBetter = false, direct = true } = {}) => {
    if (!M[id]) return;
    line(label, Object.fromEntries(cols.filter((c) => c && (direct || c !== 'direct')).map((c) => [c, get(id, c, key)])), d, lowerIsBetter);
  };
  const cpuCell = (id, c) => (c && M[id]?.[c]?.pubCpuPct !== undefined ? `${fmt(get(id, c, 'pubCpuPct'))} / ${fmt(get(id, c, 'agentCpuPct'))}` : '–');
  const cpuRow = (id) => {
    if (M[id]) rows.push(`| ↳ CPU % relay side / agent side (100 = 1 core) | – | ${cpuCell(id, 'relay')} | ${cpuCell(id, off)} | ${cpuCell(id, 'ssh-R')} | – | – |`);
  };
  const added = (pct) => {
    const d = get('relayRtt', 'direct', pct);
    const a = (c) => (get('relayRtt', c, pct) === undefined || d === undefined ? undefined : get('relayRtt', c, pct) - d);
    if (M.relayRtt) line(`Round trip added over direct, ${pct} (µs)`, { direct: 0, relay: a('relay'), [off]: a(off), 'ssh-R': a('ssh-R') }, 0, true);
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
    `| Relay scenario | direct | porthole relay | relay, pool off${off ? '' : ' (not run)'} | ${ssh ? 'OpenSSH ssh -R' : 'ssh -R (not run)'} | relay ÷ ssh -R | relay ÷ pool off |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    ...usersTable(M, get, facts),
    ...contendersTable(M, get, facts),
    '',
    'What bounds each relay figure (medians of this run; CPU from /proc, 100 = one core):',
    '',
    ...bounds(M, get, facts).map((b) => `- ${b}`),
  ].join('\n');

  const w = facts.windows;
  const notes = [
    `Relay: Porthole's RelayServer and RelayAgent (src-main/relay) in two Node processes of their own (bench/tools/relay-node.ts, bundled by vite for Node 20 like the app), ${facts.tls}, self-signed EC P-256 certificate pinned by fingerprint. Each public TCP connection goes on a data connection of its own from the agent's pool (TLS, ticket-authenticated, then a raw copy; pool of 8, doubling when it runs dry, up to 64, refilled on trust at 2 a second plus one for every public connection that moves 256 KiB), or on an HTTP/2 stream of the agent's session when the pool is empty or off (relay as HTTP/2 client; ${kib(w.stream)} per stream, ${kib(w.session)} per session, ${kib(w.frame)} frames).`,
    ssh
      ? `ssh -R: \`ssh -tt -R 127.0.0.1:P:127.0.0.1:T root@127.0.0.1 sleep infinity\` (one process, both public ports in one session, as after an interactive login) to a throwaway sshd on 127.0.0.1 at LogLevel INFO (ed25519 keys, UsePAM no); sshd holds the public port, the ssh client dials the target; default cipher ${facts.opensshCipher}. Its relay-side CPU and memory are those of every sshd process. Not \`ssh -N\`: without a session OpenSSH leaves Nagle on for its connection and each new forwarded connection waits ~40 ms for a delayed ACK (by hand: 22 serial connections/s with -N, 274 with -tt).`
      : `ssh -R not run: ${facts.opensshMissing}.`,
    `Relay method: ${facts.rounds} rounds (BENCH_RELAY_ROUNDS), contenders interleaved; iperf3 -t ${facts.iperfSeconds} (receiver bits/s) after a 1 s warm-up pass through each relay; round trip ${facts.pingCount} × ${facts.pingSize} B after ${facts.pingWarmup} warm-up; connections/s ${facts.cpsSeconds} s per run, ${facts.cpsRounds} rounds (BENCH_RELAY_CPS_ROUNDS: pool on and off take the same path for all but a few connections, so their ratio needs more rounds than the rest); idle: fresh relay + agent (or ssh -R session) per round, VmRSS after ${n} connections (each proven with a 1 B echo, then idle, 1 s settle) minus before, per side. Targets: iperf3 server and Node echo server; everything on 127.0.0.1 and the same ${facts.cores ?? 2} cores. CPU-s/GB is the figure to compare on a busy machine: throughput follows whatever else runs on the cores.`,
  ];
  return { section, targets: [...targets(M, get, facts), ...usersTargets(M, get, facts)], notes: [...notes, ...usersNotes(facts)] };
}

/** Every contender of the throughput scenarios, both directions, against ssh -R. */
function contendersTable(M, get, facts) {
  const note = facts.noVariants ? ['', `Relay variants: ${facts.noVariants}.`] : [];
  const w = facts.windows;
  const list = [
    ['relay', `porthole relay as shipped: TLS, data connections (pool on); when it falls back, ${kib(w.stream)} stream, ${kib(w.session)} session, ${kib(w.frame)} frames`],
    // A contender measured for connections/s only has no throughput row.
    ...(facts.users ?? []).filter((u) => !u.cpsOnly).map((u) => [u.id, u.label]),
    ...facts.variants.filter((v) => !v.cpsOnly).map((v) => [v.id, v.label]),
    ...(facts.opensshMissing ? [] : [['ssh-R', 'OpenSSH ssh -R']]),
  ];
  const cell = (id, c) => {
    const g = get(id, c, 'gbps');
    return `${fmt(g, 2)} | ${fmt(get(id, c, 'cpuSecPerGB'), 2)} | ${fmtRatio(ratio(g, get(id, 'ssh-R', 'gbps')))}`;
  };
  return [
    ...note,
    '',
    '| Contender (relay and agent alike) | → Gbit/s | → CPU s/GB ↓ | → ÷ ssh -R | -R Gbit/s | -R CPU s/GB ↓ | -R ÷ ssh -R | 8 streams Gbit/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...list.map(([c, label]) => `| ${label} | ${cell('relayTput1', c)} | ${cell('relayTput1R', c)} | ${fmt(get('relayTput8', c, 'gbps'), 2)} |`),
  ];
}

function targets(M, get, facts) {
  const out = [];
  const vsSsh = (name, id, c, key, goal, higher) => {
    if (!M[id]?.[c] || !M[id]?.['ssh-R']) return;
    const r = ratio(get(id, c, key), get(id, 'ssh-R', key));
    out.push(judge(name, `${higher ? '≥' : '≤'} ${goal.toFixed(2)}×`, r, fmtRatio(r), goal, higher));
  };
  vsSsh('Relay (TLS) 1 stream vs ssh -R, client → target', 'relayTput1', 'relay', 'gbps', 1.1, true);
  vsSsh('Relay (TLS) 1 stream vs ssh -R, target → client', 'relayTput1R', 'relay', 'gbps', 1.1, true);
  vsSsh('Relay (TLS) CPU-s/GB vs ssh -R, client → target', 'relayTput1', 'relay', 'cpuSecPerGB', 0.9, false);
  vsSsh('Relay (TLS) CPU-s/GB vs ssh -R, target → client', 'relayTput1R', 'relay', 'cpuSecPerGB', 0.9, false);
  vsSsh('Relay (tls: false) 1 stream vs ssh -R, client → target', 'relayTput1', 'relay-plain', 'gbps', 1.5, true);
  vsSsh('Relay (tls: false) 1 stream vs ssh -R, target → client', 'relayTput1R', 'relay-plain', 'gbps', 1.5, true);
  const off = facts.poolOff;
  for (const [id, label] of [
    ['relayCps1', 'serial'],
    [`relayCps${facts.cpsConcurrency}`, `${facts.cpsConcurrency} concurrent`],
  ]) {
    if (!off || !M[id]) continue;
    const r = ratio(get(id, 'relay', 'rate'), get(id, off, 'rate'));
    out.push(judge(`Relay connections/s, ${label}, vs the pool off (the HTTP/2-only relay)`, '≥ 1.00×', r, fmtRatio(r), 1, true));
  }
  if (M.relayRtt?.['ssh-R']) {
    const d = get('relayRtt', 'direct', 'p50');
    const r = ratio(get('relayRtt', 'relay', 'p50') - d, get('relayRtt', 'ssh-R', 'p50') - d);
    out.push(judge('Relay round trip added over direct, p50, vs ssh -R', '≤ 1.00×', r, fmtRatio(r), 1, false));
  }
  vsSsh('Relay idle connection RSS vs ssh -R, relay side', 'relayIdle', 'relay', 'pubKiBPerConn', 1, false);
  vsSsh('Relay idle connection RSS vs ssh -R, agent side', 'relayIdle', 'relay', 'agentKiBPerConn', 1, false);
  return out;
}

/** One line per figure on what limits it, with this run's figures in it. */
function bounds(M, get, facts) {
  const out = [];
  const g = get;
  const off = facts.poolOff;
  const cores = `${(facts.cores ?? 2) * 100}`;
  const sides = (id, c = 'relay') => `relay ${fmt(g(id, c, 'pubCpuPct'))}% (kernel ${fmt(g(id, c, 'pubSysPct'))}), agent ${fmt(g(id, c, 'agentCpuPct'))}% (kernel ${fmt(g(id, c, 'agentSysPct'))})`;
  const machine = (id) => `machine ${fmt(g(id, 'relay', 'machineCpuPct'))}% of ${cores} busy`;
  const perGB = (id, c) => `${fmt(g(id, c, 'cpuSecPerGB'), 2)}`;
  const vsSsh = (id, key, d, unit, c = 'relay') => {
    const r = g(id, c, key);
    const s = g(id, 'ssh-R', key);
    return `${fmt(r, d)} ${unit}${s !== undefined ? ` (${fmtRatio(ratio(r, s))} ssh -R's ${fmt(s, d)})` : ''}`;
  };
  // The A/A control: two identical pool-off pairs, pool off ÷ its twin — the spread any ratio of this scenario carries.
  const twinNote = (id) => {
    const t = facts.twin && g(id, facts.twin, 'rate');
    return t === undefined || !off ? '' : `; a second, identical pool-off pair ${fmt(t)}/s: two equal contenders ${fmtRatio(ratio(g(id, off, 'rate'), t))} apart in this run`;
  };
  for (const [id, dir] of [
    ['relayTput1', 'client → target'],
    ['relayTput1R', 'target → client'],
  ]) {
    if (!M[id]) continue;
    const refs = [
      off && `pool off (HTTP/2 streams) ${perGB(id, off)}`,
      M[id]['relay-v8gc'] && `V8's default GC ${perGB(id, 'relay-v8gc')}`,
      M[id]['ref-tls-pipe'] && `the bare TLS + pipe() tunnel ${perGB(id, 'ref-tls-pipe')}`,
      M[id]['ref-h2'] && `the bare TLS + node:http2 tunnel ${perGB(id, 'ref-h2')}`,
      M[id]['relay-plain'] && `TLS off ${perGB(id, 'relay-plain')}`,
      M[id]['ref-socat-tls'] && `socat over TLS (C) ${perGB(id, 'ref-socat-tls')}`,
    ].filter(Boolean);
    out.push(
      `Throughput 1 stream, ${dir}: CPU per byte in the two Node processes, ${vsSsh(id, 'cpuSecPerGB', 2, 'CPU-s/GB')}; against ${refs.join(', ')} CPU-s/GB. On a data connection the bytes meet no framing (a TLS connection per public connection, joined by src-main/relay/socket-join.ts), and both sides read into pooled buffers through onread and write them on without a copy (a TLS socket's 16 KiB records gathered into one write of up to 256 KiB, the read size), where the bare TLS + pipe() tunnel takes a fresh buffer and a 'data' event per read and writes each record on its own; what is left (perf, cpu-clock samples of both processes) is the kernel's loopback TCP — copies and wake-ups, about half — AES-GCM in OpenSSL (12–14 %), Node's copy of each decrypted record out of its stack buffer, and a JS callback per record. V8 incremental marking is off in both processes (src-main/relay/gc-policy.ts, as \`porthole relay\` and \`porthole agent\` do); the "V8's default GC" figure is the same pair with it on. ${sides(id)}; ${machine(id)}.`,
    );
  }
  if (M.relayTput8) {
    const p = (c) => (g('relayTput8', c, 'onStreams') !== undefined ? `${fmt(g('relayTput8', c, 'onDataConns'))} on data connections, ${fmt(g('relayTput8', c, 'onStreams'))} on streams` : undefined);
    out.push(
      `Throughput 8 streams: ${vsSsh('relayTput8', 'cpuSecPerGB', 2, 'CPU-s/GB')}; iperf3's 9 connections per run took ${p('relay') ?? 'an unknown path'} (median); ${sides('relayTput8')}, ${machine('relayTput8')}.`,
    );
  }
  if (M.relayRtt) {
    const d = g('relayRtt', 'direct', 'p50');
    const a = (c) => (g('relayRtt', c, 'p50') === undefined || d === undefined ? undefined : g('relayRtt', c, 'p50') - d);
    out.push(
      `Round trip: added p50 ${fmt(a('relay'))} µs on a data connection (pool off ${fmt(a(off))} µs, ssh -R ${fmt(a('ssh-R'))} µs${M.relayRtt['ref-tls-pipe'] ? `, the bare TLS + pipe() tunnel ${fmt(a('ref-tls-pipe'))} µs` : ''}${M.relayRtt['ref-socat-tls'] ? `, socat over TLS (C) ${fmt(a('ref-socat-tls'))} µs` : ''}): two more process wake-ups each way, each a socket read, a JS callback and a TLS record; p99 is scheduling on the shared cores (${machine('relayRtt')}).`,
    );
  }
  for (const id of ['relayCps1', `relayCps${facts.cpsConcurrency}`]) {
    if (!M[id]) continue;
    out.push(
      `Connections/s ${id === 'relayCps1' ? 'serial' : `${facts.cpsConcurrency} concurrent`}: ${fmt(g(id, 'relay', 'rate'))}/s with the pool (pool off ${fmt(g(id, off, 'rate'))}/s${twinNote(id)}), ${vsSsh(id, 'cpuMsPerConn', 2, 'CPU ms per connection')}: a pooled connection starts at once, with no HTTP/2 stream to set up; short ones like these are replaced only on trust, 2 new TLS connections a second (a handshake costs ~2 ms of CPU on the two sides), so most of them find the pool empty and take an HTTP/2 stream, as with the pool off. ${sides(id)}; ${machine(id)}.`,
    );
  }
  if (M.relayIdle) {
    const mix = g('relayIdle', 'relay', 'onStreams') !== undefined ? ` Opened in bursts of 200, ${fmt(g('relayIdle', 'relay', 'onDataConns'))} of them took a data connection and ${fmt(g('relayIdle', 'relay', 'onStreams'))} an HTTP/2 stream (the pool doubles, up to 64, only when connections that found it empty move 256 KiB; these move little).` : '';
    out.push(
      `Idle memory: per connection ${fmt(g('relayIdle', 'relay', 'pubKiBPerConn'), 1)} KiB on the relay side and ${fmt(g('relayIdle', 'relay', 'agentKiBPerConn'), 1)} KiB on the agent side (pool off ${fmt(g('relayIdle', off, 'pubKiBPerConn'), 1)} / ${fmt(g('relayIdle', off, 'agentKiBPerConn'), 1)}; ssh -R ${fmt(g('relayIdle', 'ssh-R', 'pubKiBPerConn'), 1)} / ${fmt(g('relayIdle', 'ssh-R', 'agentKiBPerConn'), 1)}).${mix} The baseline is the Node runtime (${fmt(g('relayIdle', 'relay', 'pubBaseMiB'))} MiB per process) against a few MiB for sshd and ssh.`,
    );
  }
  return out;
}
