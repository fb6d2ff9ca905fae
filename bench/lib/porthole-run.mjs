// `porthole run --profile` as the service runs it, for `npm run bench`: the measured rules of a scenario
// plus idle tcp-forward rules (the TCP scenarios' "porthole run with 200 other rules", the relay
// scenarios' agent inside the service core). Used by bench/tcp-scenarios.mjs and bench/lib/relay-cli.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, envNum } from './config.mjs';
import { freeTcpPort, getTmpDir, lastWords, logPath, spawnProc, stopProc, waitFor } from './procs.mjs';

/** Idle tcp-forward rules loaded beside the measured ones (BENCH_RUN_RULES). */
export const RUN_OTHER_RULES = envNum('BENCH_RUN_RULES', 200);

/** A line of node --trace-gc (a process run with it logs one per collection): not a reason to quote. */
export const GC_TRACE_LINE = /^\[\d+:0x[0-9a-f]+\]/;

/** How many "Listening on HOST:PORT" lines (one per running tcp-forward rule) a log has. */
export function countListening(file) {
  try {
    return (readFileSync(file, 'utf8').match(/Listening on /g) ?? []).length;
  } catch {
    return 0;
  }
}

/**
 * Starts `porthole run --profile` with `rules` (Porthole's own profile format; `relays` with their tokens,
 * which a profile's run keeps in memory) plus `others` idle tcp-forward rules to `idleTarget`. Resolves
 * once every tcp-forward rule logs that it listens and `ready()` (if given) holds; the entry has logFile.
 * When it is not ready in time, the process is stopped and the error quotes its last log lines.
 */
export async function startPortholeRun(name, { rules, relays = [], others = 0, idleTarget, env, nodeArgs = [], ready, timeoutMs = 60_000 }) {
  const dir = getTmpDir();
  const all = [...rules];
  // Ports that were free a moment ago; the OS may hand one out twice, and a duplicate would be skipped.
  const taken = new Set(rules.flatMap((r) => [r.listen?.port, r.target?.port, r.remotePort]).filter(Boolean));
  while (all.length < rules.length + others) {
    const port = await freeTcpPort();
    if (taken.has(port)) continue;
    taken.add(port);
    all.push({ type: 'tcp-forward', name: `idle ${all.length}`, enabled: true, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: idleTarget } });
  }
  const profile = path.join(dir, `${name}.json`);
  writeFileSync(profile, JSON.stringify({ porthole: 1, ...(relays.length ? { relays } : {}), rules: all }));
  const file = logPath(name);
  const entry = spawnProc(name, process.execPath, [...nodeArgs, CLI, 'run', '--profile', profile, '--data-dir', path.join(dir, `${name}-data`)], { logFile: file, ...(env ? { env } : {}) });
  entry.logFile = file;
  const listeners = all.filter((r) => r.type === 'tcp-forward').length;
  try {
    await waitFor(`${name}: all ${listeners} tcp-forward rules listening`, () => countListening(file) >= listeners, entry, timeoutMs);
    if (ready) await waitFor(`${name}: measured rules ready`, ready, entry, timeoutMs);
  } catch (err) {
    // Read before stopping: the rules' "Stopped" lines would come last.
    const why = lastWords(file, { skip: GC_TRACE_LINE, prefer: / (?:ERROR|WARN) / });
    await stopProc(entry, 3000);
    throw new Error(`${err.message}: ${why} (log ${file})`, { cause: err });
  }
  return entry;
}
