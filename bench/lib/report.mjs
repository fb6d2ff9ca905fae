// Medians, the TCP/UDP table and targets, and the markdown of `npm run bench` (bench/results/latest.md).
import { CFG, enabled } from './config.mjs';
import { haproxy } from './contenders.mjs';
import { median } from './measure.mjs';

export const fmt = (v, d = 0) => (v === undefined || Number.isNaN(v) ? '–' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
export const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
export const fmtRatio = (r) => (r === undefined ? '–' : `${r.toFixed(2)}×`);

export function judge(name, goalText, measured, measuredText, goal, higherIsBetter) {
  if (measured === undefined) return { name, goal: goalText, measured: measuredText ?? '–', met: undefined, result: 'not measured' };
  const met = higherIsBetter ? measured >= goal : measured <= goal;
  const by = higherIsBetter ? ((goal - measured) / goal) * 100 : ((measured - goal) / goal) * 100;
  return { name, goal: goalText, measured: measuredText, met, result: met ? 'met' : `MISSED by ${by.toFixed(0)}%` };
}

/** Per scenario and contender, the median of every numeric field over the error-free samples. */
export function medians(samples) {
  const med = (id, c, key) => median((samples[id]?.[c] ?? []).filter((s) => !s.error).map((s) => s[key]));
  const M = {};
  for (const [id, byC] of Object.entries(samples)) {
    M[id] = {};
    for (const c of Object.keys(byC)) {
      const keys = new Set(byC[c].flatMap((s) => Object.keys(s).filter((k) => typeof s[k] === 'number')));
      M[id][c] = Object.fromEntries([...keys].map((k) => [k, med(id, c, k)]));
      M[id][c].errors = byC[c].filter((s) => s.error).length;
    }
  }
  const get = (id, c, k) => M[id]?.[c]?.[k];
  return { M, get };
}

/** Rows and targets of the main table (direct | porthole | socat | haproxy). */
export function tcpTable({ M, get, TCP4, udp, skipped, notes }) {
  const rows = [];
  const row = (label, id, key, d, { contenders = TCP4, lowerIsBetter = false } = {}) => {
    if (!M[id]) return;
    const v = Object.fromEntries(['direct', 'porthole', 'socat', 'haproxy'].map((c) => [c, contenders.includes(c) ? get(id, c, key) : undefined]));
    rows.push({
      label,
      cells: ['direct', 'porthole', 'socat', 'haproxy'].map((c) => fmt(v[c], d)),
      vsSocat: fmtRatio(ratio(v.porthole, v.socat)),
      vsHaproxy: fmtRatio(ratio(v.porthole, v.haproxy)),
      lowerIsBetter,
    });
  };
  // TCP throughput (both directions, every way Porthole runs) has a table of its own: tcp-report.mjs.
  row(`Round trip ${CFG.pingSize} B, p50 (µs) ↓`, 'rtt', 'p50', 0, { lowerIsBetter: true });
  row(`Round trip ${CFG.pingSize} B, p99 (µs) ↓`, 'rtt', 'p99', 0, { lowerIsBetter: true });
  if (M.rtt) {
    const d = get('rtt', 'direct', 'p50');
    const added = Object.fromEntries(TCP4.map((c) => [c, get('rtt', c, 'p50') === undefined || d === undefined ? undefined : get('rtt', c, 'p50') - d]));
    rows.push({
      label: 'Round trip added over direct, p50 (µs) ↓',
      cells: TCP4.map((c) => fmt(added[c], 0)),
      vsSocat: fmtRatio(ratio(added.porthole, added.socat)),
      vsHaproxy: fmtRatio(ratio(added.porthole, added.haproxy)),
    });
  }
  row('Connections/s, serial', 'cps1', 'rate', 0);
  row(`Connections/s, ${CFG.cpsConcurrency} concurrent`, `cps${CFG.cpsConcurrency}`, 'rate', 0);
  row(`Idle forwarded connection, RSS (KiB/conn, ${fmt(CFG.idleConnections)} conns) ↓`, 'idle', 'kibPerConn', 2, { contenders: ['porthole'], lowerIsBetter: true });
  if (M.udp) {
    row(`UDP ${CFG.udpSize} B echo at ${fmt(udp.offered)} pps offered: achieved (pps)`, 'udp', 'achievedPps', 0, { contenders: ['direct', 'porthole', 'socat'] });
    row('UDP loss at that rate (%) ↓', 'udp', 'lossPct', 3, { contenders: ['direct', 'porthole', 'socat'], lowerIsBetter: true });
    rows[rows.length - 1].vsSocat = '–'; // a ratio of loss percentages means nothing
    rows.push({
      label: 'UDP max rate with < 0.1% loss (pps, searched once)',
      cells: ['–', fmt(udp.portholeMax.rate), fmt(udp.socatMax.rate), '–'],
      vsSocat: fmtRatio(ratio(udp.portholeMax.rate, udp.socatMax.rate)),
      vsHaproxy: '–',
    });
  }
  if (skipped.udp) {
    rows.push({ label: `UDP ${CFG.udpSize} B echo: ${skipped.udp.replace(/ \(.*\)$/, '')}`, cells: ['–', '–', '–', '–'], vsSocat: '–', vsHaproxy: '–' });
    notes.push(`UDP ${skipped.udp}.`);
  }

  const targets = [];
  if (M.rtt) {
    const p = get('rtt', 'porthole', 'p50');
    const s = get('rtt', 'socat', 'p50');
    const r = ratio(p, s);
    targets.push(judge('Round trip 64 B p50 vs socat', '≤ 1.20×', r, `${fmtRatio(r)} (${fmt(p)} vs ${fmt(s)} µs)`, 1.2, false));
  }
  for (const id of ['cps1', `cps${CFG.cpsConcurrency}`]) {
    if (!M[id]) continue;
    const rr = ratio(get(id, 'porthole', 'rate'), get(id, 'socat', 'rate'));
    targets.push(judge(`Connections/s ${id === 'cps1' ? 'serial' : `${CFG.cpsConcurrency} concurrent`} vs socat`, '≥ 2.00×', rr, fmtRatio(rr), 2.0, true));
  }
  if (M.idle) {
    const k = get('idle', 'porthole', 'kibPerConn');
    targets.push(judge('RSS per idle forwarded connection', '≤ 8 KiB', k, `${fmt(k, 2)} KiB`, 8, false));
  }
  if (udp) {
    const pm = udp.portholeMax.rate;
    const sm = udp.socatMax.rate;
    targets.push(judge('UDP max rate with < 0.1% loss vs socat', `≥ ${fmt(sm)} pps`, pm, `${fmt(pm)} pps`, sm, true));
  }
  if (M.udp) {
    const l = get('udp', 'porthole', 'lossPct');
    targets.push(judge(`UDP at socat’s max rate (${fmt(udp.offered)} pps): loss`, '< 0.1%', l, `${fmt(l, 3)}%`, 0.0999, false));
  } else if (enabled('udp')) {
    targets.push({ name: 'UDP at socat’s max rate: loss', goal: '< 0.1%', measured: '–', met: undefined, result: (skipped.udp ?? 'skipped').replace(/ \(.*\)$/, '') });
  }
  return { rows, targets };
}

/** Notes about the machine and the method (first) and about the TCP/UDP scenarios. */
export function generalNotes(machine) {
  return [
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}; ${machine.tools.iperf3}, ${machine.tools.socat}, ${machine.tools.haproxy}. ${machine.date}.`,
    `${CFG.rounds} rounds, contenders interleaved round-robin (start rotates each round); medians. ${machine.cores} cores shared by client, forwarder and target (and other work on the machine): absolute numbers are contention-bound, compare the ratios.`,
  ];
}

export const LAST_NOTE = '↓ = lower is better; ratios are porthole ÷ other.';

export function tcpNotes(machine, nofile) {
  return [
    'iperf3 3.12 is single-threaded, also with -P 4.',
    `Round trip: one connection, ${CFG.pingCount} × ${CFG.pingSize} B after ${CFG.pingWarmup} warm-up, Node client and Node echo server in separate processes. Connections/s: open → 1 B → echo → end → close, ${CFG.cpsSeconds} s per run.`,
    `Idle RSS: fresh porthole per round${CFG.idleConnections < 10000 ? ` (${CFG.idleConnections} connections, not 10,000: RLIMIT_NOFILE is ${nofile.soft} and cannot be raised here — ${nofile.how})` : ''}, VmRSS after ${CFG.idleConnections} connections (each proven end to end with a 1 B echo, then idle) minus before, ÷ ${CFG.idleConnections}.`,
    `haproxy: mode tcp, nbthread 2, maxconn ${haproxy.maxconn}${haproxy.maxconn < 20000 ? ` (20000 did not fit RLIMIT_NOFILE ${nofile.soft}; the runs use ≤ ${CFG.cpsConcurrency} concurrent connections)` : ''}; binary built with LINUX_SPLICE=${machine.tools.haproxyLinuxSplice ? 'yes' : 'no'} (haproxy can splice(2) kernel-side, but this minimal config sets no splice option and a by-hand strace of it under iperf3 showed only recvfrom/sendto; add option splice-auto to compare with splicing); socat TCP: TCP-LISTEN,fork (one process per connection), default 8 KiB buffer.`,
    `UDP: socat UDP-LISTEN:P,fork UDP:127.0.0.1:T (a forked child per client address), Node echo target, ${CFG.udpSize} B datagrams paced per ~1 ms tick for ${CFG.udpSeconds} s; offered rate = socat’s highest rate with < ${CFG.udpMaxLossPct}% loss (binary search, ${CFG.udpProbeSeconds} s probes).`,
  ];
}

/**
 * The whole latest.md: the main table when it has rows, then extra sections (each already markdown,
 * e.g. the SSH table), the targets and the notes.
 */
export function markdown({ machine, rows, sections = [], targets, notes }) {
  return [
    `## Porthole benchmark (${machine.date.slice(0, 10)})`,
    '',
    ...(rows.length
      ? [
          '| Scenario | direct | porthole | socat | haproxy | porthole ÷ socat | porthole ÷ haproxy |',
          '|---|---:|---:|---:|---:|---:|---:|',
          ...rows.map((r) => `| ${r.label} | ${r.cells.join(' | ')} | ${r.vsSocat} | ${r.vsHaproxy} |`),
          '',
        ]
      : []),
    ...sections.flatMap((s) => [s, '']),
    '| Target | Goal | Measured | Result |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.name} | ${t.goal} | ${t.measured} | ${t.met === false ? `**${t.result}**` : t.result} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
