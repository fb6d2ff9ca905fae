#!/usr/bin/env node
// `npm run bench`: Porthole's forwarding engine side by side with direct loopback, socat and haproxy.
//
// Every scenario runs every contender once per round, round-robin (the starting contender rotates each
// round), so drift in machine load hits all of them alike; the table shows medians over the rounds.
// All traffic stays on 127.0.0.1. Every process started here runs in its own process group and is
// killed at the end, on failure and on SIGINT/SIGTERM.
//
//   npm run bench                 5 rounds (BENCH_ROUNDS=N; SSH scenarios 3, BENCH_SSH_ROUNDS; the relay's
//                                 connections/s 11, BENCH_RELAY_CPS_ROUNDS), ~30 min on 2 cores
//   npm run bench -- --quick      2 rounds, shorter runs (smoke test, ~1.5 min)
//   npm run bench -- --no-build   use the existing out/main/cli.js
//   BENCH_ONLY=tput,gc,rtt,cps,idle,udp,ssh,relay   run a subset of the scenarios (tput, gc: bench/tcp-scenarios.mjs, rtt, cps: bench/echo-scenarios.mjs,
//                                           ssh: bench/ssh-scenarios.mjs, relay: bench/relay-scenarios.mjs, ~3 min);
//                                           also `npm run bench -- relay`. BENCH_ONLY=isolate (never by default):
//                                           the data plane's host compared (main thread, worker thread, child process)
//   BENCH_ONLY=http                         the HTTP inspector scenarios (bench/http-scenarios.mjs), only when named
//
// Writes bench/results/latest.json (machine facts, every sample, medians, targets) and
// bench/results/latest.md (the table printed at the end); --quick and BENCH_ONLY runs write partial.json
// and partial.md instead, and BENCH_OUT=NAME writes NAME.json and NAME.md.
//
// The pieces live in bench/lib (config, process bookkeeping, contenders, measurements, report),
// bench/ssh-scenarios.mjs and bench/relay-scenarios.mjs; this file wires them: setup, interleaved
// rounds, medians, results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CFG, CLI, NO_BUILD, ONLY, OUT_NAME, QUICK, RESULTS, ROOT, UDP_STANDIN, enabled } from '../bench/lib/config.mjs';
import { haproxy, startNodeServer, startPorthole, startSocat } from '../bench/lib/contenders.mjs';
import { idleRound, udpMaxRate } from '../bench/lib/measure.mjs';
import { freeTcpPort, freeUdpPort, getTmpDir, initTmpDir, log, readdirLog, runTool, stopAll } from '../bench/lib/procs.mjs';
import { LAST_NOTE, generalNotes, markdown, medians, tcpNotes, tcpTable } from '../bench/lib/report.mjs';
import { ECHO_MAIN, setupEcho } from '../bench/echo-scenarios.mjs';
import { setupHttp } from '../bench/http-scenarios.mjs';
import { setupRelay } from '../bench/relay-scenarios.mjs';
import { setupSsh } from '../bench/ssh-scenarios.mjs';
import { setupTcp } from '../bench/tcp-scenarios.mjs';

// ---------------------------------------------------------------------------------------------------
// Setup: file limits, build, machine facts

function raiseNofile() {
  // Children inherit our RLIMIT_NOFILE; 10k forwarded connections need >20k fds in the forwarder.
  const want = CFG.nofile;
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { encoding: 'utf8' });
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
  const soft = m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : NaN;
  return { ok: soft >= want, soft, how: r.status === 0 ? `prlimit --nofile=${want}:${want}` : `prlimit failed: ${(r.stderr || r.error?.message || '').trim()}` };
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').filter(Boolean).slice(0, 2).join(' | ') || `(${cmd} not found)`;
}

function machineFacts() {
  const cpus = os.cpus();
  const haproxyVV = spawnSync('/usr/sbin/haproxy', ['-vv'], { encoding: 'utf8' }).stdout ?? '';
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const dirty = (spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).length;
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    kernel: os.release(),
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    tools: {
      iperf3: firstLine('iperf3', ['--version']).split(' | ')[0],
      socat: (firstLine('socat', ['-V']).match(/socat version [^ ]+/) ?? ['socat'])[0],
      haproxy: firstLine('/usr/sbin/haproxy', ['-v']).split(' | ')[0],
      haproxyLinuxSplice: /\+LINUX_SPLICE/.test(haproxyVV),
    },
    git: git ? `${git}${dirty ? ` (+${dirty} uncommitted files)` : ''}` : undefined,
  };
}

function build() {
  if (NO_BUILD) return existsSync(CLI) ? 'skipped (--no-build)' : undefined;
  log('bench: building (npx electron-vite build)…');
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return 'fresh build';
  const why = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  if (existsSync(CLI)) {
    log(`bench: WARNING build failed, using the existing out/main/cli.js:\n${why}`);
    return 'stale: build failed, used existing out/main/cli.js';
  }
  throw new Error(`build failed and there is no out/main/cli.js:\n${why}`);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  const tmpDir = initTmpDir();
  mkdirSync(RESULTS, { recursive: true });
  const nofile = raiseNofile();
  if (!nofile.ok) {
    // Without CAP_SYS_RESOURCE the hard limit cannot be raised: the forwarder holds 2 fds per forwarded
    // connection, so the idle scenario and haproxy's maxconn shrink to fit (noted in the results).
    const fit = Math.floor((nofile.soft - 100) / 2);
    if (fit < CFG.idleConnections) CFG.idleConnections = fit;
    haproxy.maxconn = Math.min(haproxy.maxconn, Math.floor((nofile.soft - 60) / 2));
    log(
      `bench: WARNING could not raise the open-file limit (${nofile.how}); limit ${nofile.soft}: ` +
        `idle scenario uses ${CFG.idleConnections} connections, haproxy maxconn ${haproxy.maxconn}`,
    );
  }
  const buildState = build();
  if (!buildState) throw new Error('out/main/cli.js is missing (run without --no-build)');
  const machine = machineFacts();
  log(`bench: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB, ${machine.os}, node ${machine.node}`);
  log(`bench: ${machine.tools.iperf3}; ${machine.tools.socat}; ${machine.tools.haproxy}`);
  log(`bench: ${CFG.rounds} rounds${QUICK ? ' (--quick)' : ''}; logs in ${tmpDir}`);

  const TCP4 = ECHO_MAIN;
  const scenarios = [];
  const notes = [];
  const skipped = {};

  // --- targets and forwarders (started once, shared by all rounds) ---
  // TCP throughput both ways through porthole forward, porthole run and the engine alone, with CPU-s/GB
  // and the data plane's GCs (bench/tcp-scenarios.mjs); `isolate` only when asked for.
  const tcp = enabled('tput') || enabled('gc') || ONLY?.has('isolate') ? await setupTcp() : undefined;
  if (tcp) scenarios.push(...tcp.scenarios);
  // Round trip and connections/s against one echo target (bench/echo-scenarios.mjs).
  const echo = enabled('rtt') || enabled('cps') ? await setupEcho({ rtt: enabled('rtt'), cps: enabled('cps') }) : undefined;
  if (echo) scenarios.push(...echo.scenarios);
  if (enabled('idle')) {
    const t = await freeTcpPort();
    const target = await startNodeServer('idle-target', 'tcp-echo.mjs', t, { ipc: true });
    scenarios.push({ id: 'idle', contenders: ['porthole'], run: () => idleRound(target, t) });
  }
  let udp;
  if (enabled('udp')) {
    const t = await freeUdpPort();
    await startNodeServer('udp-echo', 'udp-echo.mjs', t);
    const ports = { direct: t, porthole: await freeUdpPort(), socat: await freeUdpPort() };
    let supported = true;
    let why = '';
    try {
      if (UDP_STANDIN) {
        await startSocat('porthole-udp-STANDIN-socat', ports.porthole, t, { udp: true });
        notes.push('SELF-TEST: BENCH_UDP_STANDIN=socat — the "porthole" UDP column is a second socat, not Porthole.');
      } else {
        await startPorthole('porthole-udp', ports.porthole, t, { udp: true, timeoutMs: 5000 });
      }
    } catch (err) {
      supported = false;
      const lf = readdirLog('porthole-udp');
      why = lf ? readFileSync(lf, 'utf8').trim().split('\n').pop() : err.message;
    }
    if (!supported) {
      skipped.udp = `skipped: porthole UDP not available in this build (${why})`;
      log(`bench: UDP ${skipped.udp}`);
    } else {
      await startSocat('socat-udp', ports.socat, t, { udp: true });
      log('bench: UDP — finding socat’s highest rate with < 0.1% loss…');
      const socatMax = await udpMaxRate(ports.socat);
      log(`bench: UDP — socat max ${socatMax.rate} pps; finding porthole’s…`);
      const portholeMax = await udpMaxRate(ports.porthole);
      log(`bench: UDP — porthole max ${portholeMax.rate} pps`);
      udp = { socatMax, portholeMax, offered: socatMax.rate };
      if (socatMax.rate > 0) {
        scenarios.push({
          id: 'udp',
          contenders: ['direct', 'porthole', 'socat'],
          run: (c) => runTool('udp-load.mjs', [ports[c], udp.offered, CFG.udpSeconds, CFG.udpSize], (CFG.udpSeconds + 30) * 1000),
        });
      } else skipped.udp = 'skipped: socat calibration found no rate with < 0.1% loss';
    }
  }

  const ssh = enabled('ssh') ? await setupSsh() : undefined;
  if (ssh) scenarios.push(...ssh.scenarios);
  const relay = enabled('relay') ? await setupRelay() : undefined;
  if (relay?.skipped) {
    skipped.relay = relay.skipped;
    log(`bench: relay scenarios skipped: ${relay.skipped}`);
  } else if (relay) scenarios.push(...relay.scenarios);
  const http = ONLY?.has('http') ? await setupHttp() : undefined;
  if (http) scenarios.push(...http.scenarios);

  // --- rounds ---
  const samples = {};
  for (const sc of scenarios) samples[sc.id] = Object.fromEntries(sc.contenders.map((c) => [c, []]));
  // Scenario groups may run fewer or more rounds (sc.rounds): the extra rounds run only those groups.
  const rounds = Math.max(0, ...scenarios.map((sc) => sc.rounds ?? CFG.rounds));
  for (let r = 0; r < rounds; r++) {
    const tr = Date.now();
    for (const sc of scenarios) {
      if (r >= (sc.rounds ?? CFG.rounds)) continue;
      const n = sc.contenders.length;
      const order = sc.contenders.map((_, i) => sc.contenders[(i + r) % n]);
      for (const c of order) {
        const s = await sc.run(c);
        samples[sc.id][c].push(s);
        if (s.error) log(`bench: round ${r + 1} ${sc.id} ${c}: ERROR ${s.error}`);
      }
    }
    log(`bench: round ${r + 1}/${rounds} done in ${((Date.now() - tr) / 1000).toFixed(0)} s`);
  }


  const { M, get } = medians(samples);
  const { rows, targets } = tcpTable({ M, get, TCP4, udp, skipped, notes });
  const tcpReport = tcp?.report(M, get);
  const echoReport = echo?.report(M, get);
  if (tcpReport) targets.unshift(...tcpReport.targets);
  const sshReport = ssh?.report(M, get);
  if (sshReport) targets.push(...sshReport.targets);
  const relayReport = relay?.report?.(M, get);
  if (relayReport) targets.push(...relayReport.targets);
  const httpReport = http?.report(M, get);
  if (httpReport) targets.push(...httpReport.targets);
  if (skipped.relay) notes.push(`Relay scenarios skipped: ${skipped.relay}.`);
  notes.push(...generalNotes(machine), ...(tcpReport?.notes ?? []), ...(rows.length ? tcpNotes(machine, nofile) : []), ...(echoReport?.notes ?? []), ...(sshReport?.notes ?? []), ...(relayReport?.notes ?? []), ...(httpReport?.notes ?? []), LAST_NOTE);
  const sections = [tcpReport?.section, echoReport?.section, sshReport?.section, relayReport?.section, httpReport?.section].filter(Boolean);
  const md = markdown({ machine, rows, sections, targets, notes });

  const errors = Object.entries(M).flatMap(([id, byC]) => Object.entries(byC).filter(([, m]) => m.errors > 0).map(([c, m]) => `${id}/${c}: ${m.errors} failed runs`));
  const json = {
    machine,
    build: buildState,
    nofile,
    config: { ...CFG, quick: QUICK, only: ONLY ? [...ONLY] : undefined },
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    loadAvgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    medians: M,
    targets,
    skipped,
    udpCalibration: udp,
    tcp: tcp?.facts,
    ssh: ssh?.facts,
    relay: relay?.facts,
    http: http?.facts,
    errors,
    notes,
    samples,
  };
  writeFileSync(path.join(RESULTS, `${OUT_NAME}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(RESULTS, `${OUT_NAME}.md`), md);
  log(`\n${md}`);
  if (errors.length) log(`bench: some runs failed: ${errors.join('; ')} (details in bench/results/${OUT_NAME}.json)`);
  log(`bench: done in ${json.durationSeconds} s — bench/results/${OUT_NAME}.md, bench/results/${OUT_NAME}.json`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: FAILED: ${err.stack ?? err}\n(process logs kept in ${getTmpDir()})\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
  // Pending safety timers (timeouts raced against tools) must not keep the process alive.
  process.exit(process.exitCode ?? 0);
}
