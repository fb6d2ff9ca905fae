// Tables, targets and notes of the TCP scenarios (bench/tcp-scenarios.mjs): throughput both ways through
// what users run, CPU-s/GB of every forwarder, the data plane's full GCs, and (when measured) how the
// data plane's host was chosen.
import { fmt, fmtRatio, judge, ratio } from './report.mjs';

const LABEL = {
  tput1: 'TCP, 1 stream, client → target (Gbit/s)',
  tput1R: 'TCP, 1 stream, target → client, iperf3 -R (Gbit/s)',
  tput4: 'TCP, 4 streams, client → target (Gbit/s)',
  tput4R: 'TCP, 4 streams, target → client, iperf3 -R (Gbit/s)',
  tput128: 'TCP, 128 streams, client → target (Gbit/s)',
  tput128R: 'TCP, 128 streams, target → client, iperf3 -R (Gbit/s)',
};
const COLS = ['direct', 'porthole', 'porthole-run', 'engine', 'socat', 'haproxy'];
const FORWARDERS = COLS.filter((c) => c !== 'direct');
const TRACED = ['porthole', 'porthole-run', 'engine'];

export function tcpReport(M, get, facts) {
  const targets = [];
  const notes = [];
  const lines = [];
  const ids = Object.keys(LABEL).filter((id) => M[id]);
  if (ids.length) {
    lines.push(
      `| TCP throughput | direct | porthole forward | porthole run (${facts.otherRules} other rules) | engine alone | socat | haproxy | forward ÷ socat | run ÷ socat | forward ÷ haproxy | run ÷ haproxy | forward ÷ engine | run ÷ engine |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const id of ids) {
      const g = (c) => get(id, c, 'gbps');
      const r = (a, b) => fmtRatio(ratio(g(a), g(b)));
      lines.push(
        `| ${LABEL[id]} | ${COLS.map((c) => fmt(g(c), 2)).join(' | ')} | ${r('porthole', 'socat')} | ${r('porthole-run', 'socat')} | ${r('porthole', 'haproxy')} | ${r('porthole-run', 'haproxy')} | ${r('porthole', 'engine')} | ${r('porthole-run', 'engine')} |`,
      );
      const cpu = (c) => (FORWARDERS.includes(c) ? fmt(get(id, c, 'cpuSecPerGB'), 2) : '–');
      const cr = (a, b) => fmtRatio(ratio(get(id, a, 'cpuSecPerGB'), get(id, b, 'cpuSecPerGB')));
      lines.push(
        `| ↳ CPU seconds per GB, forwarder process ↓ | ${COLS.map(cpu).join(' | ')} | ${cr('porthole', 'socat')} | ${cr('porthole-run', 'socat')} | ${cr('porthole', 'haproxy')} | ${cr('porthole-run', 'haproxy')} | ${cr('porthole', 'engine')} | ${cr('porthole-run', 'engine')} |`,
      );
      const gc = (c) => (TRACED.includes(c) ? fmt(get(id, c, 'fullGcs'), 0) : '–');
      lines.push(`| ↳ full GCs in the data plane per run ↓ | ${COLS.map(gc).join(' | ')} | – | – | – | – | – | – |`);
    }
    for (const [who, label] of [
      ['porthole', 'porthole forward'],
      ['porthole-run', `porthole run (${facts.otherRules} rules)`],
    ]) {
      for (const [id, dir] of [
        ['tput1', 'client → target'],
        ['tput1R', 'target → client'],
      ]) {
        if (!M[id]) continue;
        const g = (c) => get(id, c, 'gbps');
        const rs = ratio(g(who), g('socat'));
        const rh = ratio(g(who), g('haproxy'));
        const re = ratio(g(who), g('engine'));
        const cpu = get(id, who, 'cpuSecPerGB');
        targets.push(judge(`${label}, 1 stream, ${dir} vs socat`, '≥ 0.95×', rs, fmtRatio(rs), 0.95, true));
        targets.push(judge(`${label}, 1 stream, ${dir} vs haproxy`, '≥ 0.75×', rh, fmtRatio(rh), 0.75, true));
        targets.push(judge(`${label}, 1 stream, ${dir} vs the engine alone`, '≥ 0.90× (within 10 %)', re, fmtRatio(re), 0.9, true));
        targets.push(judge(`${label}, 1 stream, ${dir}: CPU-s/GB`, '≤ 1.00', cpu, fmt(cpu, 2), 1.0, false));
      }
    }
    notes.push(
      `TCP throughput: iperf3 -t ${facts.iperfSeconds}, receiver bits/s; both directions (-R: the target sends). "porthole forward" is the CLI; "porthole run" runs ${facts.otherRules + 1} tcp-forward rules from a profile (the measured one and ${facts.otherRules} idle ones); "engine alone" is the engine's TcpForwarder in a process that loads nothing else (bench/tools/engine-forward.ts), the reference for what the data plane can do. CPU seconds per GB: user + system time of the forwarder's process (every thread; socat with its forked children) over the bytes iperf3 received — the figure that stays stable when other work shares the cores. Full and minor GCs: the collections of the isolate that moves the bytes (the one with the most collections during the run), from the lines of node --trace-gc, which Porthole's processes and the engine-alone reference run under.`,
    );
  }

  const gcIds = [
    ['gcF', 'client → target'],
    ['gcR', 'target → client'],
  ].filter(([id]) => M[id]);
  if (gcIds.length) {
    lines.push('', `| Long transfer, 1 stream, ${facts.gcSeconds} s | porthole forward | porthole run | engine alone |`, '|---|---:|---:|---:|');
    for (const [id, dir] of gcIds) {
      const cell = (c) => `${fmt(get(id, c, 'gbps'), 2)} Gbit/s · ${fmt(get(id, c, 'cpuSecPerGB'), 2)} CPU-s/GB · ${fmt(get(id, c, 'fullGcs'), 0)} full / ${fmt(get(id, c, 'minorGcs'), 0)} minor GCs`;
      lines.push(`| ${dir} | ${TRACED.map(cell).join(' | ')} |`);
      for (const [who, label] of [
        ['porthole', 'porthole forward'],
        ['porthole-run', 'porthole run'],
      ]) {
        const n = get(id, who, 'fullGcs');
        targets.push(judge(`${label}: full GCs in the data plane during ${facts.gcSeconds} s, ${dir}`, '0', n, fmt(n, 0), 0, false));
      }
    }
  }

  const isoIds = [
    ['isoF', 'client → target'],
    ['isoR', 'target → client'],
  ].filter(([id]) => M[id]);
  if (isoIds.length) {
    const hosts = [
      ['inproc-loaded', 'main thread of a process that loaded the CLI (before the data plane)'],
      ['worker-loaded', 'worker thread of that process (the data plane as shipped)'],
      ['child-loaded', 'child process of that process'],
      ['engine', 'a process that loads nothing else (engine alone)'],
      ['socat', 'socat (reference)'],
    ];
    lines.push('', '| Where the forwarder runs | ' + isoIds.map(([, d]) => `${d}: Gbit/s | CPU-s/GB ↓ | full GCs ↓`).join(' | ') + ' |');
    lines.push(`|---|${isoIds.map(() => '---:|---:|---:').join('|')}|`);
    for (const [c, label] of hosts) {
      const gcs = (id) => (c === 'socat' ? '–' : fmt(get(id, c, 'fullGcs'), 0));
      lines.push(`| ${label} | ${isoIds.map(([id]) => `${fmt(get(id, c, 'gbps'), 2)} | ${fmt(get(id, c, 'cpuSecPerGB'), 2)} | ${gcs(id)}`).join(' | ')} |`);
    }
    notes.push(
      `Data plane host (BENCH_ONLY=isolate): the same forwarder in four hosts; "loaded" = the process first imports every module of the CLI (ssh2, zod, yaml, conf, ws, …). CPU counts every thread of the process, and the child process for the child host. Accepted sockets read ${facts.isolateReads === 'alloc' ? 'with a fresh 64 KiB buffer per read (BENCH_ISOLATE_READS=alloc: the engine before adoptWithOnread)' : 'into pooled buffers (the engine as shipped)'}.`,
    );
  }
  return { section: lines.join('\n'), targets, notes };
}
