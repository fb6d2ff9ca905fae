import net from 'node:net';
import { formatBytes } from '../../src-shared/format/units';
import { maskSecrets } from '../../src-shared/format/mask-secrets';
import type { ExchangeSummary } from '../../src-shared/model/inspector';
import { resolveDataDir } from '../store/data-dir';
import { UsageError, parseArgs } from './args';
import { type ControlMessage, listControlPaths } from '../api/control-socket';
import { untilSignal } from './signals';

export interface InspectIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the command should stop (SIGINT/SIGTERM in the CLI). */
  until: Promise<unknown>;
}

// Control characters and bidi overrides in a URL could garble or forge terminal lines.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** One line per exchange: time, mapping, method, URL, status, sizes and duration. */
export function exchangeLine(rule: string, x: ExchangeSummary): string {
  const url = maskSecrets(x.url.length > 300 ? `${x.url.slice(0, 300)}…` : x.url).replace(UNSAFE, '?');
  const status = x.status === 0 ? 'no response' : String(x.status);
  const extra = [x.upgrade ? `upgraded to ${x.upgrade}` : '', x.truncated ? 'body truncated' : '', x.replayOf !== undefined ? `replay of #${x.replayOf}` : ''].filter(Boolean);
  const size = `${formatBytes(x.requestBytes)} ↑ ${formatBytes(x.responseBytes)} ↓`;
  return `${time(x.startedAt)} ${rule.replace(UNSAFE, '?')} ${x.method} ${url} → ${status} ${size} ${x.durationMs} ms${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** The JSON form (--json): one object per line, the summary plus the mapping's name. */
export function exchangeJson(rule: string, x: ExchangeSummary): string {
  return JSON.stringify({ rule, ...x });
}

interface Attached {
  socket: net.Socket;
  host: string;
}

/** Connects to one control endpoint; resolves with its first message (hello or error), or undefined when nobody answers. */
function attach(path: string, rule: string | undefined, onMessage: (m: ControlMessage) => void): Promise<{ first: ControlMessage; socket: net.Socket } | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    let first: ControlMessage | undefined;
    let buf = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, 3000);
    socket.on('error', () => {
      clearTimeout(timer);
      if (!first) resolve(undefined);
    });
    socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'inspect', ...(rule !== undefined ? { rule } : {}) })}\n`));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let m: ControlMessage;
        try {
          m = JSON.parse(line) as ControlMessage;
        } catch {
          continue;
        }
        if (!first) {
          first = m;
          clearTimeout(timer);
          resolve({ first: m, socket });
        } else onMessage(m);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!first) resolve(undefined);
    });
  });
}

/** `porthole inspect [RULE] [--json]`: follows the HTTP exchanges a running host records. */
export async function cmdInspect(argv: string[], io?: InspectIo): Promise<number> {
  const args = parseArgs(argv, { values: ['data-dir'], booleans: ['json'] });
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}" — usage: porthole inspect [MAPPING] [--json]`);
  const rule = args.positionals[0];
  const json = args.booleans.has('json');
  const { out, err, until } = io ?? {
    out: (l: string) => void process.stdout.write(`${l}\n`),
    err: (l: string) => void process.stderr.write(`${l}\n`),
    until: untilSignal(),
  };
  const dataDir = resolveDataDir(args.values['data-dir']);
  const print = (m: ControlMessage) => {
    if (m.t === 'exchange') out(json ? exchangeJson(m.rule, m.exchange) : exchangeLine(m.rule, m.exchange));
  };
  const answers = await Promise.all(listControlPaths(dataDir).map((p) => attach(p, rule, print)));
  const attached: Attached[] = [];
  const errors: string[] = [];
  for (const a of answers) {
    if (!a) continue;
    if (a.first.t === 'hello') {
      attached.push({ socket: a.socket, host: `${a.first.host} (pid ${a.first.pid})` });
      const what = a.first.watching.length > 0 ? a.first.watching.join(', ') : 'no mapping has Inspect HTTP on yet';
      err(`Following HTTP exchanges of ${a.first.host} (pid ${a.first.pid}): ${what} — Ctrl-C to stop`);
    } else if (a.first.t === 'error') {
      errors.push(a.first.message);
      a.socket.destroy();
    }
  }
  if (attached.length === 0) {
    if (errors.length > 0) {
      err(`porthole inspect: ${errors.join('; ')}`);
      return 2;
    }
    err(`porthole inspect: no running Porthole (porthole ui, run or agent, or the desktop app) uses the data dir ${dataDir} — start one, or pass the --data-dir it uses`);
    return 1;
  }
  const allGone = Promise.all(attached.map((a) => new Promise<void>((r) => a.socket.once('close', () => r()))));
  const stopped = await Promise.race([until.then(() => 'signal' as const), allGone.then(() => 'gone' as const)]);
  for (const a of attached) a.socket.destroy();
  if (stopped === 'gone') err(`porthole inspect: ${attached.map((a) => a.host).join(', ')} stopped`);
  return 0;
}
