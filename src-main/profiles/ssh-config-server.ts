import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { type HostKeyPolicy, SshServerDraftSchema } from '../../src-shared/model/ssh';
import { HOST_KEY_POLICIES, at, convtime, shownValue } from './ssh-config-options';
import { truncateName } from './ssh-config-rules';
import { type ConfigLine, expandTilde } from './ssh-config-text';
import { type SshConfigTree, refIndexes } from './ssh-config-tree';
import { authFor, expandEnv } from './ssh-config-auth';

export type ImportedSshServer = z.output<typeof SshServerDraftSchema> & { ref: string };

const MAX_KEEPALIVE_MS = 600_000;

function refFor(key: string, label: string): string {
  const slug = label.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'host';
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `ssh-${slug}-${hash}`;
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

function parseJumpSpec(text: string): JumpSpec | undefined {
  let s = text;
  if (/^ssh:\/\//i.test(s)) s = s.slice(6).replace(/\/$/, '');
  let user: string | undefined;
  const atSign = s.lastIndexOf('@');
  if (atSign >= 0) {
    user = s.slice(0, atSign);
    s = s.slice(atSign + 1);
    if (user === '') return undefined;
  }
  let host = s;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else if (s.includes(':')) {
    const colon = s.lastIndexOf(':');
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
  }
  if (host === '') return undefined;
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return undefined;
    port = Number(portText);
  }
  return { user, host, port };
}

export type Built = { ok: true; server: ImportedSshServer } | { ok: false };

export interface ServerBuildContext {
  tree: SshConfigTree;
  /** Home directory for `~` and `%d`. */
  home: string;
  /** The default User and `%u`; undefined if unknown. */
  localUser: string | undefined;
  warnings: string[];
  /** A warning about one host (or jump spec) `name`: identical ones of several hosts are merged by the caller. */
  hostWarn?: (name: string, msg: string) => void;
  /** Each server built is appended here, so a jump host comes before the servers that use it. */
  servers: ImportedSshServer[];
}

/**
 * Returns buildServer(key, alias, name, override): the SSH server draft for one Host alias (or one
 * ProxyJump spec, with its user/port as `override`), its jump hosts built first. Memoized by `key`;
 * a server that cannot be imported is skipped with a warning.
 */
export function serverBuilder(ctx: ServerBuildContext): (key: string, alias: string, name: string, override: JumpSpec | undefined) => Built {
  const { tree, home, localUser, warnings, servers } = ctx;
  const hostWarn = ctx.hostWarn ?? ((name: string, msg: string) => warnings.push(`${name}: ${msg}`));
  const { refs, computeFor, deref } = tree;
  const built = new Map<string, Built>();
  const building = new Set<string>();
  const concrete = new Set(tree.aliases);

  const buildServer = (key: string, alias: string, name: string, override: JumpSpec | undefined): Built => {
    const memo = built.get(key);
    if (memo) return memo;
    const fail = (why: string): Built => {
      hostWarn(name, `skipped: ${why}`);
      const r: Built = { ok: false };
      built.set(key, r);
      return r;
    };
    if (building.has(key)) {
      warnings.push(`${name}: its ProxyJump chain loops back to itself`);
      return { ok: false };
    }
    building.add(key);
    try {
      const c = computeFor(alias);
      const w = (msg: string) => hostWarn(name, msg);

      // HostName may use %h (the alias) and %%.
      let host = alias;
      if (typeof c.hostname === 'string') {
        const raw = c.hostname;
        host = raw.replace(/%([%h])/g, (_m, t: string) => (t === '%' ? '%' : alias));
        const shown = tree.fromIncluded('hostname', raw) ? '' : ` "${raw}"`;
        if (/%/.test(raw.replace(/%[%h]/g, ''))) return fail(`HostName${shown}: only %h and %% can be expanded`);
      }
      const portLine = deref(c.port);
      const port = override?.port ?? (portLine ? Number(portLine.args[0]) : 22);
      const user = override?.user ?? (typeof c.user === 'string' ? c.user : localUser);
      if (user === undefined) return fail('no User and the local user name is unknown');

      const expandTokens = (what: string, line: ConfigLine, value: string): string => {
        const unknown = new Set<string>();
        const out = expandTilde(value, home).replace(/%(.)/gs, (m, t: string) => {
          switch (t) {
            case '%':
              return '%';
            case 'd':
              return home;
            case 'u':
              return localUser ?? m;
            case 'h':
              return host;
            case 'r':
              return user;
            case 'n':
              return alias;
            case 'p':
              return String(port);
            default:
              unknown.add(m);
              return m;
          }
        });
        if (out.startsWith('~')) w(`${what}${shownValue(line, value)}: ~user paths are not expanded${line.included ? ` (${at(line)})` : ''}`);
        if (unknown.size > 0) w(`${what}${shownValue(line, value)}: ${line.included ? `%-tokens not expanded (${at(line)})` : `${[...unknown].join(', ')} not expanded`}`);
        return out;
      };

      // Authentication as OpenSSH does it (ssh-config-auth.ts): a key file, or the agent's key
      // matching a public key file, through IdentityAgent's socket.
      const identityLines = refIndexes(c.identityfile)
        .map((i) => refs[i]!)
        .filter((l) => l.args[0]!.toLowerCase() !== 'none');
      const identities = identityLines.map((l) => l.args[0]!);
      const agentLine = deref(c.identityagent);
      const onlyLine = deref(c.identitiesonly);
      const auth = authFor({
        identity: identityLines[0] ? { line: identityLines[0], path: expandTokens('IdentityFile', identityLines[0], identities[0]!) } : undefined,
        agent: agentLine ? { line: agentLine, path: expandTokens('IdentityAgent', agentLine, expandEnv(agentLine.args[0]!, w, agentLine)) } : undefined,
        identitiesOnly: onlyLine?.args[0]!.toLowerCase() === 'yes',
        warn: w,
      });
      if (new Set(identities).size > 1) {
        const first = identityLines[0]!;
        w(`only the first IdentityFile (${first.included ? at(first) : identities[0]}) is used; ${identities.length - 1} more ignored`);
      }

      // Jump hosts: ProxyJump, unless a ProxyCommand came first (OpenSSH uses whichever is first).
      const jumpLine = deref(c.proxyjump);
      const commandLine = deref(c.proxycommand);
      const commandIdx = commandLine ? refs.indexOf(commandLine) : Infinity;
      const jumpIdx = jumpLine ? refs.indexOf(jumpLine) : Infinity;
      const jump: string[] = [];
      if (commandLine && commandIdx < jumpIdx && commandLine.args[0]?.toLowerCase() !== 'none') {
        w(`ProxyCommand is not supported (Porthole never runs commands from an imported file): connecting directly to ${host}`);
      } else if (jumpLine && jumpLine.args[0]!.toLowerCase() !== 'none') {
        const specs = jumpLine.args[0]!.split(',');
        for (const [i, specText] of specs.entries()) {
          const spec = parseJumpSpec(specText);
          if (!spec) return fail(`ProxyJump${shownValue(jumpLine, specText)} is not [user@]host[:port] (${at(jumpLine)})`);
          const byAlias = spec.user === undefined && spec.port === undefined && concrete.has(spec.host);
          const j = byAlias ? buildServer(`host:${spec.host}`, spec.host, spec.host, undefined) : buildServer(`jump:${specText}`, spec.host, specText, spec);
          if (!j.ok) return fail(`its jump host${shownValue(jumpLine, specText)} could not be imported${jumpLine.included ? ` (${at(jumpLine)})` : ''}`);
          // Porthole walks one flat chain; the first jump host's own ProxyJump comes before it.
          if (i === 0) jump.push(...j.server.jump);
          jump.push(j.server.ref);
        }
        if (new Set(jump).size !== jump.length) return fail('its ProxyJump chain goes through the same host twice');
        if (jump.length > 8) return fail('its ProxyJump chain has more than 8 hops');
      }

      // Host keys.
      const policyLine = deref(c.stricthostkeychecking);
      const hostKeyPolicy: HostKeyPolicy = policyLine ? HOST_KEY_POLICIES[policyLine.args[0]!.toLowerCase()]! : 'ask';
      if (hostKeyPolicy === 'off') w('StrictHostKeyChecking no: any host key is accepted, even a changed one');
      let knownHostsFile: string | undefined;
      const khLine = deref(c.userknownhostsfile);
      const kh = khLine?.args[0];
      if (kh !== undefined) {
        if (kh === '/dev/null' || kh.toLowerCase() === 'none') {
          if (hostKeyPolicy !== 'off') w(`UserKnownHostsFile ${kh}: no host keys are remembered, so the host key is asked every time unless StrictHostKeyChecking says otherwise`);
        } else {
          knownHostsFile = expandTokens('UserKnownHostsFile', khLine!, kh);
        }
      }

      // Keepalives.
      let keepaliveIntervalMs: number | undefined;
      const kaLine = deref(c.serveraliveinterval);
      if (kaLine) {
        keepaliveIntervalMs = convtime(kaLine.args[0]!)! * 1000;
        if (keepaliveIntervalMs > MAX_KEEPALIVE_MS) {
          w(`ServerAliveInterval${kaLine.included ? ` (${at(kaLine)})` : ` ${kaLine.args[0]}`} is longer than Porthole allows; using 600 seconds`);
          keepaliveIntervalMs = MAX_KEEPALIVE_MS;
        }
      }
      let keepaliveCountMax: number | undefined;
      const kcLine = deref(c.serveralivecountmax);
      if (kcLine) {
        const n = Number(kcLine.args[0]);
        keepaliveCountMax = Math.min(100, Math.max(1, n));
        if (keepaliveCountMax !== n) w(`ServerAliveCountMax${kcLine.included ? ` (${at(kcLine)})` : ` ${n}`} is outside 1–100; using ${keepaliveCountMax}`);
      }

      const draft = {
        name: truncateName(name),
        host,
        port,
        user,
        auth,
        jump,
        ...(keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs } : {}),
        ...(keepaliveCountMax !== undefined ? { keepaliveCountMax } : {}),
        hostKeyPolicy,
        ...(knownHostsFile !== undefined ? { knownHostsFile } : {}),
      };
      const parsed = SshServerDraftSchema.safeParse(draft);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.');
        const value = (draft as Record<string, unknown>)[String(issue.path[0])];
        // The value may come from any line, of any file: with includes it is not quoted.
        return fail(`${field}${typeof value === 'string' && !tree.hasIncluded ? ` "${value}"` : ''}: ${issue.message}`);
      }
      const server: ImportedSshServer = { ...parsed.data, ref: refFor(key, alias) };
      servers.push(server);
      const r: Built = { ok: true, server };
      built.set(key, r);
      return r;
    } finally {
      building.delete(key);
    }
  };
  return buildServer;
}
