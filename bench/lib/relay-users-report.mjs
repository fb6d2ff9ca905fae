// The relay as users run it, in latest.md (bench/lib/relay-cli.mjs's contenders): `porthole relay` +
// `porthole agent` and `porthole relay` + `porthole run`, against the lean relay-node processes (the
// engine alone) and OpenSSH ssh -R; their rows, the targets of issue 13 for them, and their notes.
import { fmt, fmtRatio, judge, ratio } from './report.mjs';

const SSH = 'ssh-R';

export function usersTable(M, get, facts) {
  const users = facts.users ?? [];
  const failed = (facts.usersFailed ?? []).map((f) => `- **${f.label}** (\`${f.id}\`) was not measured: it did not start — ${f.why}`);
  if (users.length === 0) return failed.length ? ['', 'Relay as users run it:', '', ...failed] : [];
  const cols = ['relay', ...users.map((u) => u.id), SSH];
  const rows = [];
  const line = (label, v, d, lowerIsBetter) =>
    rows.push(`| ${label}${lowerIsBetter ? ' ↓' : ''} | ${cols.map((c) => (typeof v[c] === 'string' ? v[c] : fmt(v[c], d))).join(' | ')} | ${users.map((u) => fmtRatio(typeof v[u.id] === 'string' ? undefined : ratio(v[u.id], v[SSH]))).join(' | ')} |`);
  const row = (label, id, key, d, lowerIsBetter = false) => {
    if (M[id]) line(label, Object.fromEntries(cols.map((c) => [c, get(id, c, key)])), d, lowerIsBetter);
  };
  const pair = (id, a, b) => Object.fromEntries(cols.map((c) => [c, M[id]?.[c]?.[a] !== undefined ? `${fmt(get(id, c, a))} / ${fmt(get(id, c, b))}` : '–']));
  for (const [id, label] of [
    ['relayTput1', 'Throughput, 1 stream, client → target (Gbit/s)'],
    ['relayTput1R', 'Throughput, 1 stream, target → client, iperf3 -R (Gbit/s)'],
  ]) {
    row(label, id, 'gbps', 2);
    row('↳ CPU seconds per GB carried, both processes, every thread', id, 'cpuSecPerGB', 2, true);
    if (M[id]) {
      line('↳ CPU % relay side / agent side (100 = 1 core)', pair(id, 'pubCpuPct', 'agentCpuPct'), 0);
      line('↳ full GCs per run, relay process / agent process (every isolate)', pair(id, 'pubFullGcs', 'agentFullGcs'), 0);
    }
  }
  row(`Round trip ${facts.pingSize} B, p50 (µs)`, 'relayRtt', 'p50', 0, true);
  if (M.relayRtt) {
    const d = get('relayRtt', 'direct', 'p50');
    line('Round trip added over direct, p50 (µs)', Object.fromEntries(cols.map((c) => [c, get('relayRtt', c, 'p50') === undefined || d === undefined ? undefined : get('relayRtt', c, 'p50') - d])), 0, true);
  }
  row('Connections/s, serial', 'relayCps1', 'rate', 0);
  row(`Connections/s, ${facts.cpsConcurrency} concurrent`, `relayCps${facts.cpsConcurrency}`, 'rate', 0);
  const n = fmt(facts.idleConnections);
  row(`Idle: relay side RSS per connection (KiB, ${n} conns)`, 'relayIdle', 'pubKiBPerConn', 2, true);
  row(`Idle: agent side RSS per connection (KiB, ${n} conns)`, 'relayIdle', 'agentKiBPerConn', 2, true);
  row('Idle: relay side RSS before the connections (MiB)', 'relayIdle', 'pubBaseMiB', 1, true);
  row('Idle: agent side RSS before the connections (MiB)', 'relayIdle', 'agentBaseMiB', 1, true);
  return [
    '',
    `| Relay as users run it (TLS) | engine alone (relay-node processes) | ${users.map((u) => u.short).join(' | ')} | OpenSSH ssh -R | ${users.map((u) => `${u.short} ÷ ssh -R`).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|${users.map(() => '---:').join('|')}|`,
    ...rows,
    ...(failed.length ? ['', ...failed] : []),
  ];
}

/** Issue 13's relay targets for each contender users run, in the same run. */
export function usersTargets(M, get, facts) {
  const out = [];
  const h2 = (facts.users ?? []).find((u) => u.cpsOnly);
  for (const u of (facts.users ?? []).filter((x) => !x.cpsOnly)) {
    const name = (what) => `Relay as users run it (${u.short}): ${what}`;
    const vsSsh = (what, id, key, goal, higher) => {
      if (!M[id]?.[u.id] || !M[id]?.[SSH]) return;
      const r = ratio(get(id, u.id, key), get(id, SSH, key));
      out.push(judge(name(what), `${higher ? '≥' : '≤'} ${goal.toFixed(2)}×`, r, fmtRatio(r), goal, higher));
    };
    vsSsh('1 stream vs ssh -R, client → target', 'relayTput1', 'gbps', 1.1, true);
    vsSsh('1 stream vs ssh -R, target → client', 'relayTput1R', 'gbps', 1.1, true);
    vsSsh('CPU-s/GB vs ssh -R, client → target', 'relayTput1', 'cpuSecPerGB', 0.9, false);
    vsSsh('CPU-s/GB vs ssh -R, target → client', 'relayTput1R', 'cpuSecPerGB', 0.9, false);
    const off = facts.poolOff;
    for (const [id, label] of [
      ['relayCps1', 'serial'],
      [`relayCps${facts.cpsConcurrency}`, `${facts.cpsConcurrency} concurrent`],
    ]) {
      if (!off || !M[id]?.[u.id]) continue;
      const r = ratio(get(id, u.id, 'rate'), get(id, off, 'rate'));
      out.push(judge(name(`connections/s, ${label}, vs the HTTP/2-only relay (engine alone, pool off)`), '≥ 1.00×', r, fmtRatio(r), 1, true));
      // Like for like: the same processes with the relay offering no data connections.
      if (h2 && u.id === 'cli-run' && M[id]?.[h2.id]) {
        const rh = ratio(get(id, u.id, 'rate'), get(id, h2.id, 'rate'));
        out.push(judge(name(`connections/s, ${label}, vs the same with no data connections (${h2.short})`), '≥ 1.00×', rh, fmtRatio(rh), 1, true));
      }
    }
    if (M.relayRtt?.[u.id] && M.relayRtt?.[SSH]) {
      const d = get('relayRtt', 'direct', 'p50');
      const r = ratio(get('relayRtt', u.id, 'p50') - d, get('relayRtt', SSH, 'p50') - d);
      out.push(judge(name('round trip added over direct, p50, vs ssh -R'), '≤ 1.00×', r, fmtRatio(r), 1, false));
    }
    vsSsh('idle connection RSS vs ssh -R, relay side', 'relayIdle', 'pubKiBPerConn', 1, false);
    vsSsh('idle connection RSS vs ssh -R, agent side', 'relayIdle', 'agentKiBPerConn', 1, false);
  }
  return out;
}

export function usersNotes(facts) {
  const users = facts.users ?? [];
  if (users.length === 0 && !(facts.usersFailed ?? []).length) return [];
  return [
    `Relay as users run it: the built CLI (out/main/cli.js) on both sides, TLS as shipped, a fresh data dir each — ${users.map((u) => u.label).join('; ') || 'none started'}. \`porthole relay\` runs its RelayServer in a worker thread; the agent of \`porthole run\` is the service core's. CPU is each whole process (every thread, from /proc). Both run under node --trace-gc so that full GCs (Mark-Compact, any isolate: main thread, relay worker, data plane worker) can be counted; it prints a line per collection, nothing else. "engine alone" is the lean relay-node pair (bench/tools/relay-node.ts) of the tables above.${(facts.usersFailed ?? []).map((f) => ` Not measured: ${f.label} — ${f.why}.`).join('')}`,
  ];
}
