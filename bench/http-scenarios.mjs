// HTTP inspector scenarios of `npm run bench` (id `http`: BENCH_ONLY=http or `npm run bench -- http`;
// not in the default set, ~2 min): a keep-alive HTTP load through a tcp-forward mapping with "Inspect
// HTTP" off, the same with it on, and straight to the target.
//
//   http1k   GET of a 1 KiB response, CONNECTIONS keep-alive connections back to back
//   http1m   GET of a 1 MiB response (the inspector keeps 1 MiB of each: its per-body default)
//
// Porthole runs as `cli.js run --profile` with a Porthole YAML profile of two tcp-forward mappings to the
// same target, one with `inspect: { enabled: true }`: one process, the two listeners used in turn. The
// client is bench/tools/http-load.mjs (raw sockets, a minimal response reader); the target
// bench/tools/http-target.mjs. Target: inspection on keeps ≥ 70 % of the requests/s of inspection off.
//
// BENCH_HTTP_ROUNDS (default min(rounds, 3)), BENCH_HTTP_SECONDS (3), BENCH_HTTP_CONNECTIONS (4).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CFG, CLI, QUICK, envNum } from './lib/config.mjs';
import { startNodeServer } from './lib/contenders.mjs';
import { freeTcpPort, getTmpDir, isBound, logPath, runTool, spawnProc, waitFor } from './lib/procs.mjs';
import { fmt, fmtRatio, judge, ratio } from './lib/report.mjs';

const HTTP = {
  rounds: envNum('BENCH_HTTP_ROUNDS', Math.min(CFG.rounds, 3)),
  seconds: envNum('BENCH_HTTP_SECONDS', QUICK ? 1.5 : 3),
  connections: envNum('BENCH_HTTP_CONNECTIONS', 4),
  target: 0.7,
};
const CONTENDERS = ['direct', 'inspect-off', 'inspect-on'];
const SIZES = [
  { id: 'http1k', path: '/1k', label: '1 KiB responses' },
  { id: 'http1m', path: '/1m', label: '1 MiB responses' },
];

function profile(off, on, target) {
  const rule = (name, port, inspect) =>
    [
      '  - type: tcp-forward',
      `    name: ${name}`,
      '    enabled: true',
      `    listen: { host: 127.0.0.1, port: ${port} }`,
      `    target: { host: 127.0.0.1, port: ${target} }`,
      ...(inspect ? ['    inspect: { enabled: true }'] : []),
    ].join('\n');
  return ['porthole: 1', 'rules:', rule('http-inspect-off', off, false), rule('http-inspect-on', on, true), ''].join('\n');
}

export async function setupHttp() {
  const target = await freeTcpPort();
  await startNodeServer('http-target', 'http-target.mjs', target);
  const ports = { direct: target, 'inspect-off': await freeTcpPort(), 'inspect-on': await freeTcpPort() };
  const file = path.join(getTmpDir(), 'http-inspect-profile.yaml');
  writeFileSync(file, profile(ports['inspect-off'], ports['inspect-on'], target));
  const host = spawnProc('porthole-http', process.execPath, [CLI, 'run', '--profile', file, '--data-dir', path.join(getTmpDir(), 'http-data')], { logFile: logPath('porthole-http') });
  await waitFor('porthole run (http mappings)', () => isBound(ports['inspect-off'], 'tcp') && isBound(ports['inspect-on'], 'tcp'), host, 20_000);
  const scenarios = SIZES.map((s) => ({
    id: s.id,
    contenders: CONTENDERS,
    rounds: HTTP.rounds,
    run: (c) => runTool('http-load.mjs', [ports[c], s.path, HTTP.seconds, HTTP.connections], (HTTP.seconds + 30) * 1000),
  }));
  return { scenarios, report: (M, get) => httpReport(M, get), facts: { ...HTTP } };
}

function httpReport(M, get) {
  const rows = [];
  const targets = [];
  for (const s of SIZES) {
    if (!M[s.id]) continue;
    const v = (c, k) => get(s.id, c, k);
    rows.push(`| ${s.label}: requests/s | ${fmt(v('direct', 'rps'))} | ${fmt(v('inspect-off', 'rps'))} | ${fmt(v('inspect-on', 'rps'))} | ${fmtRatio(ratio(v('inspect-on', 'rps'), v('inspect-off', 'rps')))} | ${fmtRatio(ratio(v('inspect-off', 'rps'), v('direct', 'rps')))} |`);
    for (const k of ['p50', 'p99']) {
      rows.push(`| ${s.label}: ${k} latency (ms) ↓ | ${fmt(v('direct', k), 3)} | ${fmt(v('inspect-off', k), 3)} | ${fmt(v('inspect-on', k), 3)} | ${fmtRatio(ratio(v('inspect-on', k), v('inspect-off', k)))} | ${fmtRatio(ratio(v('inspect-off', k), v('direct', k)))} |`);
    }
    const r = ratio(v('inspect-on', 'rps'), v('inspect-off', 'rps'));
    targets.push(judge(`HTTP keep-alive, ${s.label}: requests/s with inspection on vs off`, `≥ ${HTTP.target.toFixed(2)}×`, r, fmtRatio(r), HTTP.target, true));
  }
  const section = [
    '| HTTP inspector scenario | direct | inspection off | inspection on | on ÷ off | off ÷ direct |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  const notes = [
    `HTTP inspector: ${HTTP.connections} keep-alive connections sending GET back to back for ${HTTP.seconds} s (bench/tools/http-load.mjs, raw sockets), against a Node HTTP target (bench/tools/http-target.mjs); Porthole = \`cli.js run --profile\` with two tcp-forward mappings, one with inspect: { enabled: true } (1 MiB kept per body, the default). ${HTTP.rounds} rounds (BENCH_HTTP_ROUNDS); client, Porthole and target share the machine's cores.`,
  ];
  return { section, targets, notes };
}
