// Measurements of `npm run bench`: iperf3 throughput, idle-connection RSS, the UDP max-rate search.
import path from 'node:path';
import { CFG, TOOLS } from './config.mjs';
import { askCount, startPorthole } from './contenders.mjs';
import { freeTcpPort, logPath, runCmd, runTool, sleep, spawnProc, stopProc, vmRssKiB, waitFor } from './procs.mjs';

export const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

/**
 * A second of connections through a forwarder before its connections/s are measured (serial, then
 * `concurrency` at once): porthole's connection path is other code than its bulk path, and measured cold
 * the first rounds measured JIT warm-up (a fresh `porthole run` relay agent did 545 conn/s in its first
 * 3 s and 700–810 after; `porthole agent` 565 → 740–820).
 */
export async function warmConnectionPath(port, concurrency) {
  await runTool('connrate.mjs', [port, 1, 1], 30_000);
  await runTool('connrate.mjs', [port, 0.5, concurrency], 30_000);
}

export async function iperf(port, streams, extraArgs = [], seconds = CFG.iperfSeconds) {
  // The persistent iperf3 server needs a moment to wind down the previous test (more so behind a
  // forwarder that closes lazily); "busy" is retried, not counted.
  for (let attempt = 0; ; attempt++) {
    const r = await iperfOnce(port, streams, extraArgs, seconds);
    // Any other failure (e.g. "control socket has closed unexpectedly" when a forked socat child and
    // the iperf3 server race at teardown) gets two more tries; the retries are recorded.
    const busy = /busy/.test(r.error ?? '');
    if (!r.error || attempt >= (busy ? 10 : 2)) return attempt ? { ...r, retries: attempt } : r;
    await sleep(busy ? 300 : 1000);
  }
}

async function iperfOnce(port, streams, extraArgs, seconds) {
  const args = ['-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J', '--connect-timeout', '3000'];
  if (streams > 1) args.push('-P', String(streams));
  args.push(...extraArgs);
  const r = await runCmd('iperf3', args, (seconds + 15) * 1000);
  try {
    const j = JSON.parse(r.out);
    if (j.error) return { error: j.error };
    const bps = j.end?.sum_received?.bits_per_second;
    if (typeof bps !== 'number') return { error: 'no end.sum_received in iperf3 output' };
    return {
      gbps: Math.round((bps / 1e9) * 1000) / 1000,
      bytes: j.end?.sum_received?.bytes,
      retransmits: j.end?.sum_sent?.retransmits,
      senderCpuPct: Math.round(j.end?.cpu_utilization_percent?.host_total ?? NaN),
      receiverCpuPct: Math.round(j.end?.cpu_utilization_percent?.remote_total ?? NaN),
    };
  } catch {
    return { error: `iperf3 exit ${r.code}: ${(r.err || r.out).trim().slice(0, 300)}` };
  }
}

/**
 * n idle connections to `port` from bench/tools/idle-client.mjs (opened `batch` at a time, each proven with
 * a 1 B echo), counted at the echo target `targetEntry`: `during(opened, atTarget)` runs while they stay
 * open, a second after the target counted them; then the client closes them. { error } when they did not open.
 */
export async function whileIdle(name, port, n, batch, targetEntry, during) {
  let client;
  try {
    client = spawnProc(name, process.execPath, [path.join(TOOLS, 'idle-client.mjs'), String(port), String(n), String(batch)], {
      logFile: logPath(name),
      ipc: true,
    });
    const opened = await Promise.race([
      new Promise((resolve) => client.child.once('message', resolve)),
      client.exit.then((c) => ({ error: `idle client exited (${c})` })),
      sleep(60_000).then(() => ({ error: 'idle client timed out' })),
    ]);
    if (opened.error) return { error: opened.error };
    let atTarget = 0;
    await waitFor('idle target count', async () => (atTarget = await askCount(targetEntry)) >= opened.opened, undefined, 15_000).catch(() => undefined);
    await sleep(1000);
    return await during(opened, atTarget);
  } finally {
    if (client && !client.exited) {
      client.child.send({ cmd: 'close' });
      await Promise.race([client.exit, sleep(3000)]);
    }
    await stopProc(client);
  }
}

export async function idleRound(targetEntry, targetPort) {
  const lp = await freeTcpPort();
  const fwd = await startPorthole('porthole-idle', lp, targetPort);
  const pid = fwd.child.pid;
  try {
    await waitFor('idle target drained', async () => (await askCount(targetEntry)) === 0, undefined, 15_000);
    await sleep(300);
    const before = vmRssKiB(pid);
    return await whileIdle('idle-client', lp, CFG.idleConnections, CFG.idleBatch, targetEntry, (opened, atTarget) => {
      const after = vmRssKiB(pid);
      const res = {
        connections: opened.opened,
        clientErrors: opened.errors,
        atTarget,
        openMs: opened.ms,
        rssBeforeKiB: before,
        rssAfterKiB: after,
        kibPerConn: Math.round(((after - before) / opened.opened) * 100) / 100,
      };
      if (opened.opened < CFG.idleConnections) res.error = `only ${opened.opened}/${CFG.idleConnections} connections opened (${opened.lastError ?? ''})`;
      return res;
    });
  } finally {
    await stopProc(fwd, 5000);
  }
}

/** Highest offered rate (pps) with loss < udpMaxLossPct through `port`, where the client also keeps up. */
export async function udpMaxRate(port) {
  const probes = [];
  const confirm = async (rate) => {
    // The edge found by the search is noisy (loss comes in bursts when a process misses its slot on a
    // busy machine): confirm it with a probe twice as long, stepping down 15% on failure.
    for (let i = 0; i < 5 && rate >= 1000; i++) {
      const r = await runTool('udp-load.mjs', [port, rate, CFG.udpProbeSeconds * 2, CFG.udpSize], 30_000);
      const pass = !r.error && r.lossPct < CFG.udpMaxLossPct && r.sendPps >= rate * 0.97;
      probes.push({ rate, lossPct: r.lossPct, sendPps: r.sendPps, pass, confirm: true, error: r.error });
      if (pass) return rate;
      rate = Math.round((rate * 0.85) / 500) * 500;
    }
    return 0;
  };
  const ok = async (rate) => {
    const r = await runTool('udp-load.mjs', [port, rate, CFG.udpProbeSeconds, CFG.udpSize], 30_000);
    const pass = !r.error && r.lossPct < CFG.udpMaxLossPct && r.sendPps >= rate * 0.97;
    probes.push({ rate, lossPct: r.lossPct, sendPps: r.sendPps, pass, error: r.error });
    return pass;
  };
  let good = 0;
  let bad = 0;
  for (let rate = 5000; rate <= 1_280_000; rate *= 2) {
    if (await ok(rate)) good = rate;
    else {
      bad = rate;
      break;
    }
  }
  if (good === 0) return { rate: 0, probes };
  if (bad === 0) return { rate: await confirm(good), probes };
  for (let i = 0; i < 4; i++) {
    const mid = Math.round((good + bad) / 2 / 500) * 500;
    if (mid <= good || mid >= bad) break;
    if (await ok(mid)) good = mid;
    else bad = mid;
  }
  return { rate: await confirm(good), probes };
}
