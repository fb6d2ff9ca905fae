// Process bookkeeping for `npm run bench`: everything is spawned detached (its own process group) and
// killed by group at the end, on failure and on SIGINT/SIGTERM/SIGHUP; plus ports and readiness checks.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, TOOLS } from './config.mjs';

export const log = (line) => process.stdout.write(`${line}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Process bookkeeping: everything is spawned detached (own process group: socat's forked children
// and haproxy's threads die with their parent) and killed by group.

const live = new Map(); // pid -> { name, child }
let tmpDir;

/** Creates the run's temp dir (process logs, configs, keys); removed at exit unless the run failed. */
export function initTmpDir() {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-'));
  return tmpDir;
}
export const getTmpDir = () => tmpDir;

let logSeq = 0;
export const logPath = (name) => path.join(tmpDir, `${String(++logSeq).padStart(2, '0')}-${name}.log`);

export function readdirLog(name) {
  if (!tmpDir) return undefined;
  const f = readdirSync(tmpDir).find((x) => x.endsWith(`-${name}.log`));
  return f ? path.join(tmpDir, f) : undefined;
}

/**
 * Every descendant pid of `pid`, from /proc. sshd's per-connection processes call setsid(), so a
 * process-group kill misses them: entries spawned with { tree: true } are also killed pid by pid.
 */
export function descendants(pid) {
  const children = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(e));
    } catch {
      // exited while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function killTree(entry) {
  if (!entry.tree || entry.child.pid === undefined) return;
  for (const pid of [...descendants(entry.child.pid), ...(entry.orphans ?? [])]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function spawnProc(name, cmd, args, { logFile, ipc = false, tree = false, env } = {}) {
  const out = logFile ? openSync(logFile, 'a') : 'pipe';
  const stdio = ['ignore', out, logFile ? out : 'pipe'];
  if (ipc) stdio.push('ipc');
  const child = spawn(cmd, args, { cwd: ROOT, stdio, detached: true, ...(env ? { env: { ...process.env, ...env } } : {}) });
  if (logFile) closeSync(out);
  const entry = { name, child, exited: false, code: null, tree };
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      entry.code = code ?? signal;
      live.delete(child.pid);
      resolve(entry.code);
    });
    child.once('error', (err) => {
      entry.exited = true;
      entry.code = err.message;
      live.delete(child.pid);
      resolve(err.message);
    });
  });
  if (child.pid !== undefined) live.set(child.pid, entry);
  return entry;
}

export function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export async function stopProc(entry, graceMs = 2000) {
  if (!entry || entry.child.pid === undefined) return;
  if (entry.tree) entry.orphans = descendants(entry.child.pid);
  if (!entry.exited) {
    signalGroup(entry.child.pid, 'SIGTERM');
    await Promise.race([entry.exit, sleep(graceMs)]);
  }
  // Also sweep the group when the leader is gone (socat children, a stuck helper).
  signalGroup(entry.child.pid, 'SIGKILL');
  killTree(entry);
}

export async function stopAll() {
  const t = Date.now();
  await Promise.all([...live.values()].map((e) => stopProc(e)));
  if (process.env.BENCH_DEBUG) log(`bench: stopAll ${Date.now() - t} ms`);
}

export function killAllSync() {
  for (const [pid, entry] of live) {
    killTree(entry);
    signalGroup(pid, 'SIGKILL');
  }
}

process.on('exit', () => {
  killAllSync();
  if (tmpDir && !process.env.BENCH_KEEP_TMP && !process.exitCode) rmSync(tmpDir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`\nbench: ${sig} — stopping every process started`);
    killAllSync();
    process.exitCode = 130;
    process.exit(130);
  });
}
process.on('uncaughtException', (err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  killAllSync();
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  killAllSync();
  process.exit(1);
});

/** Runs a Node tool from bench/tools, returns its last JSON stdout line (or {error}). */
export function runTool(script, args, timeoutMs) {
  return new Promise((resolve) => {
    const entry = spawnProc(script, process.execPath, [path.join(TOOLS, script), ...args.map(String)]);
    let out = '';
    let err = '';
    entry.child.stdout.on('data', (d) => (out += d));
    entry.child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      err += ` (timed out after ${timeoutMs} ms)`;
      signalGroup(entry.child.pid, 'SIGKILL');
    }, timeoutMs);
    entry.exit.then((code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      try {
        const res = JSON.parse(line);
        resolve(code === 0 ? res : { ...res, error: `exit ${code}: ${err.trim()}` });
      } catch {
        resolve({ error: `${script} exit ${code}: ${err.trim() || out.trim() || 'no output'}`.slice(0, 500) });
      }
    });
  });
}

export function runCmd(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const entry = spawnProc(cmd, cmd, args);
    let out = '';
    let err = '';
    entry.child.stdout.on('data', (d) => (out += d));
    entry.child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => signalGroup(entry.child.pid, 'SIGKILL'), timeoutMs);
    entry.exit.then((code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Ports and readiness

export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** True when something is bound to 127.0.0.1/0.0.0.0:port (TCP: in LISTEN state), read from /proc/net. */
export function isBound(port, proto) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of proto === 'udp' ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || !cols[1].endsWith(hex)) continue;
      if (proto === 'udp' || cols[3] === '0A') return true;
    }
  }
  return false;
}

export async function waitFor(what, predicate, entry, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    if (entry?.exited) throw new Error(`${what}: process exited (${entry.code}) before it was ready`);
    await sleep(25);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

export const fileHas = (file, re) => {
  try {
    return re.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * The last lines a process wrote to its log (its reason to stop, usually), for error messages: of the
 * lines matching `prefer` if there are any, leaving out those matching `skip`.
 */
export function lastWords(file, { skip = /^$/, prefer } = {}) {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !skip.test(l));
    const chosen = prefer && lines.some((l) => prefer.test(l)) ? lines.filter((l) => prefer.test(l)) : lines;
    return chosen.slice(-2).join(' | ').slice(0, 400) || 'no output';
  } catch {
    return 'no log';
  }
}

export function vmRssKiB(pid) {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
