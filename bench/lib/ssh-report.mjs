// The SSH/SOCKS part of latest.md (bench/ssh-scenarios.mjs): a table of its own (its references are
// OpenSSH and microsocks, not socat/haproxy), the -L targets and the notes.
import { CFG } from './config.mjs';
import { fmt, fmtRatio, judge, ratio } from './report.mjs';

export function sshReport(M, get, facts, SSH) {
  const rows = [];
  const row = (label, id, key, d, pc, ref, refName, { lowerIsBetter = false } = {}) => {
    if (!M[id]) return;
    const v = { direct: get(id, 'direct', key), porthole: get(id, pc, key), ref: get(id, ref, key) };
    rows.push(`| ${label}${lowerIsBetter ? ' ↓' : ''} | ${fmt(v.direct, d)} | ${fmt(v.porthole, d)} | ${fmt(v.ref, d)} | ${refName} | ${fmtRatio(ratio(v.porthole, v.ref))} |`);
  };
  const cpuRow = (label, id, pc, ref, refName) => {
    if (!M[id]) return;
    const cell = (c) => `${fmt(get(id, c, 'fwdCpuPct'))}${get(id, c, 'sshdCpuPct') !== undefined ? ` / ${fmt(get(id, c, 'sshdCpuPct'))}` : ''}`;
    rows.push(`| ${label} | – | ${cell(pc)} | ${cell(ref)} | ${refName} | – |`);
  };
  row('ssh -L throughput, 1 stream, client → server (Gbit/s)', 'sshL', 'gbps', 2, 'porthole', 'openssh', 'OpenSSH ssh -L');
  cpuRow('↳ CPU % forwarder / sshd (100 = 1 core)', 'sshL', 'porthole', 'openssh', 'ssh / sshd');
  row('ssh -L throughput, 1 stream, server → client, iperf3 -R (Gbit/s)', 'sshLR', 'gbps', 2, 'porthole', 'openssh', 'OpenSSH ssh -L');
  cpuRow('↳ CPU % forwarder / sshd (100 = 1 core)', 'sshLR', 'porthole', 'openssh', 'ssh / sshd');
  row(`ssh -D: HTTP GET ${SSH.blobMiB} MiB via SOCKS5 (MB/s)`, 'proxyTput', 'mbps', 0, 'porthole-D', 'ssh-D', 'OpenSSH ssh -D');
  cpuRow('↳ CPU % forwarder / sshd', 'proxyTput', 'porthole-D', 'ssh-D', 'ssh / sshd');
  row(`SOCKS5 (no SSH): HTTP GET ${SSH.blobMiB} MiB (MB/s)`, 'proxyTput', 'mbps', 0, 'porthole-socks', 'microsocks', 'microsocks');
  cpuRow('↳ CPU % forwarder', 'proxyTput', 'porthole-socks', 'microsocks', 'microsocks');
  row(`ssh -D: connect + ${SSH.connSize} B echo + close, p50 (ms)`, 'proxyConn', 'p50', 2, 'porthole-D', 'ssh-D', 'OpenSSH ssh -D', { lowerIsBetter: true });
  row(`ssh -D: connect + ${SSH.connSize} B echo + close, p99 (ms)`, 'proxyConn', 'p99', 2, 'porthole-D', 'ssh-D', 'OpenSSH ssh -D', { lowerIsBetter: true });
  row('ssh -D: sequential connections/s', 'proxyConn', 'rate', 0, 'porthole-D', 'ssh-D', 'OpenSSH ssh -D');
  row(`SOCKS5: connect + ${SSH.connSize} B echo + close, p50 (ms)`, 'proxyConn', 'p50', 2, 'porthole-socks', 'microsocks', 'microsocks', { lowerIsBetter: true });
  row(`SOCKS5: connect + ${SSH.connSize} B echo + close, p99 (ms)`, 'proxyConn', 'p99', 2, 'porthole-socks', 'microsocks', 'microsocks', { lowerIsBetter: true });
  row('SOCKS5: sequential connections/s', 'proxyConn', 'rate', 0, 'porthole-socks', 'microsocks', 'microsocks');
  const section = [
    '| SSH / SOCKS scenario | direct | porthole | reference | reference is | porthole ÷ reference |',
    '|---|---:|---:|---:|---|---:|',
    ...rows,
  ].join('\n');

  const targets = [];
  for (const [id, dir] of [
    ['sshL', 'client → server'],
    ['sshLR', 'server → client'],
  ]) {
    if (!M[id]) continue;
    const r = ratio(get(id, 'porthole', 'gbps'), get(id, 'openssh', 'gbps'));
    targets.push(judge(`ssh -L throughput 1 stream ${dir} vs OpenSSH ssh -L`, `≥ ${SSH.target.toFixed(2)}×`, r, fmtRatio(r), SSH.target, true));
  }
  const notes = [
    `SSH: one throwaway OpenSSH sshd on 127.0.0.1 (ed25519 host and user keys, root by key, UsePAM no, AllowTcpForwarding yes); ${facts.openssh}; ssh2 ${facts.ssh2} in Porthole (no native sshcrypto binding: install scripts are denied, so it uses Node's OpenSSL ciphers plus its own JS/WASM packet code). Negotiated cipher (default preferences, not forced): porthole (${facts.portholeIdent}) ${facts.portholeCipher} (from sshd's DEBUG1 log); OpenSSH ssh ${facts.opensshCipher} (ssh -v).`,
    `SSH contenders: porthole = \`cli.js ui\` with ssh-local, ssh-dynamic and socks rules created through its WebSocket API (one SSH session to the saved server); OpenSSH = \`ssh -N -L\` and \`ssh -N -D\`, one process each; microsocks -i 127.0.0.1. -L: iperf3 -t ${CFG.iperfSeconds}, 1 stream (and -R), receiver bits/s.`,
    `SOCKS throughput: curl --socks5-hostname of a ${SSH.blobMiB} MiB body of zeros from a Node HTTP server (bench/tools/http-blob.mjs), MB/s = 10⁶ B/s; connection setup: ${SSH.conns} sequential SOCKS5 CONNECT + ${SSH.connSize} B echo + close (or as many as fit in ${SSH.connMaxSeconds} s) from Node (socks package, bench/tools/socks-connrate.mjs) after ${SSH.connWarmup} warm-up, per-connection latency. ${SSH.rounds} rounds for these scenarios (BENCH_SSH_ROUNDS).`,
    'CPU % rows: CPU time of the forwarding process (porthole / ssh / microsocks) and of every sshd process, over the run’s wall time, from /proc/PID/stat; 200 would be both cores. iperf3, curl and the targets run on the same cores.',
  ];
  return { section, targets, notes };
}
