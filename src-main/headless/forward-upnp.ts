import { ROUTER_METHODS, RouterOptionSchema, type RouterOption } from '../../src-shared/model/router';
import { RouterMappings } from '../router/router-mappings';
import { resolveDataDir } from '../store/data-dir';
import { join } from 'node:path';
import { UsageError } from './args';

// `porthole forward --upnp[=EXTERNAL_PORT]`: the router half of the foreground forward, kept out of
// cmd-forward.ts so that file stays about moving bytes.

/** Flags cmd-forward accepts for this (all value flags; a bare --upnp is rewritten to --upnp=same). */
export const UPNP_FLAGS = ['upnp', 'upnp-protocol', 'upnp-lease'] as const;

/** `--upnp` takes an optional value: make the bare form a value flag the strict parser understands. */
export function normaliseUpnpArgv(argv: string[]): string[] {
  return argv.map((a) => (a === '--upnp' ? '--upnp=same' : a));
}

export function parseUpnpOption(values: Record<string, string>): RouterOption | undefined {
  const raw = values.upnp;
  if (raw === undefined) {
    if (values['upnp-protocol'] !== undefined || values['upnp-lease'] !== undefined) throw new UsageError('--upnp-protocol and --upnp-lease go with --upnp');
    return undefined;
  }
  const externalPort = raw === 'same' ? undefined : Number(raw);
  const protocol = values['upnp-protocol'] ?? 'auto';
  if (!(ROUTER_METHODS as readonly string[]).includes(protocol)) throw new UsageError(`--upnp-protocol: expected one of ${ROUTER_METHODS.join(', ')}`);
  const leaseSeconds = values['upnp-lease'] !== undefined ? Number(values['upnp-lease']) : undefined;
  const r = RouterOptionSchema.safeParse({ enabled: true, externalPort, protocol, ...(leaseSeconds !== undefined ? { leaseSeconds } : {}) });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const flag = issue.path[0] === 'leaseSeconds' ? '--upnp-lease' : '--upnp';
    throw new UsageError(`${flag}: ${issue.path[0] === 'externalPort' ? `"${raw}" is not a port (1-65535)` : issue.message}`);
  }
  return r.data;
}

export interface ForwardRouter {
  /** Resolves true when mapped; false (after printing why) when the router could not be used. */
  start(): Promise<boolean>;
  stop(): Promise<void>;
}

export function forwardRouter(
  option: RouterOption,
  listen: { host: string; port: number; protocol: 'tcp' | 'udp' },
  dataDirFlag: string | undefined,
  say: (line: string) => void,
): ForwardRouter {
  const ownerId = `forward-${listen.protocol}-${listen.host.replace(/[^A-Za-z0-9]/g, '-')}-${listen.port}`;
  let first = true;
  const router = new RouterMappings({
    journalDir: join(resolveDataDir(dataDirFlag), 'router-mappings'),
    log: (level, message, _owner, code) => {
      if (level === 'info') say(`router: ${message}`);
      else if (level === 'warn') process.stderr.write(`warning: ${message}${code ? ` [${code}]` : ''}\n`);
      // The first failure is printed by start() with its codes; later ones (a renewal failing) here.
      else if (!first) process.stderr.write(`porthole forward: ${message}${code ? ` [${code}]` : ''}\n`);
    },
  });
  const req = { ownerId, protocol: listen.protocol, listenHost: listen.host, listenPort: listen.port, option };
  return {
    async start() {
      const s = await router.map(req);
      first = false;
      if (s.state === 'mapped') return true;
      const e = s.error!;
      const code = e.routerCode !== undefined ? `${e.code}, router code ${e.routerCode}` : e.code;
      process.stderr.write(`porthole forward: router: ${e.message} [${code}]\n`);
      return false;
    },
    stop: () => router.releaseAll(),
  };
}
