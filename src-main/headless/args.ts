// A small, strict argument parser: unknown flags are errors (exit 2), never silently ignored.

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value (`--data-dir DIR` or `--data-dir=DIR`). */
  values: readonly string[];
  /** Boolean flags. */
  booleans: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  /** The last value of each value flag. */
  values: Record<string, string>;
  /** Every value of each value flag, in order (for repeatable flags such as --public-host). */
  lists: Record<string, string[]>;
  booleans: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: {}, lists: {}, booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.booleans.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      out.values[name] = value;
      (out.lists[name] ??= []).push(value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}

export const HELP = `Porthole — tunnel manager (TCP/UDP port mappings, SSH tunnels, relay reverse tunnels)

Usage: porthole <command> [options]

Commands:
  forward [--udp] [--upnp[=EXTERNAL_PORT]] [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT
        Forward one port in the foreground until Ctrl-C. LISTEN_HOST defaults to 127.0.0.1.
        --upnp also opens the port on the home router (UPnP IGD, else NAT-PMP, else PCP; the listen port unless
        EXTERNAL_PORT is given), prints the internet address once granted and closes it on Ctrl-C/SIGTERM.
        Needs a LAN listen address (e.g. 0.0.0.0:PORT). --upnp-protocol auto|upnp|natpmp|pcp, --upnp-lease SECONDS.
  upnp status [--from ADDRESS] [--protocol auto|upnp|natpmp|pcp] [--json]
        The router this machine would use, its external address, and Porthole's mappings on it.
  run [--profile FILE]
        Headless: run the saved enabled mappings until stopped — or, with --profile, the mappings of FILE
        instead: any format porthole import reads (kept in memory for this run, nothing saved).
  ui [--listen HOST:PORT] [--public-host NAME]... [--insecure-http | --tls] [--import FILE]
        Browser mode: run the saved mappings and serve the Porthole UI (default 127.0.0.1, a free port).
        Prints the URL to open, with its access token as token=…. --import FILE opens the import
        preview of FILE in the first window that connects (nothing is imported before you review it).
        Off loopback it serves HTTPS with a self-signed certificate kept in the data dir and prints its
        SHA-256 fingerprint to compare in the browser; --insecure-http serves plain HTTP instead (not
        recommended), --tls uses HTTPS on loopback too. Pages are served only to the host names it was
        started for: the listen address (this machine's addresses for 0.0.0.0 or ::), localhost on
        loopback, and each --public-host NAME, NAME:PORT or https://NAME (repeatable, or comma-separated).
  relay --config FILE [--insecure-no-auth]
        Relay server for reverse tunnels (e.g. on a VPS). FILE is port-proxy's server YAML (bind, proxy[]
        with remote_name and port_list) plus token: keys; allow_ports lets agents ask for ports themselves.
        TLS with a self-signed certificate made on first run; prints its SHA-256 fingerprint. Tokens need
        16 characters or more; limits: sets handshake and connection limits (see the README).
  relay --gen-token
        Print a new random token (32 characters) for the relay's and an agent's config.
  agent --config FILE [--insecure-no-auth]
        Relay agent: dials the relay and serves its public ports from this machine. FILE is port-proxy's
        client YAML (name, server) plus token: (and optionally fingerprint:, expose:).
  inspect [MAPPING] [--json]
        Follow the HTTP requests that mappings with Inspect HTTP on record in a running porthole ui, run or
        agent (or the desktop app) on the same data dir: one line each as they happen (method, URL,
        status, sizes, duration), or with --json one JSON object per line. MAPPING: one mapping's name.
  import FILE [--enable] [--dry-run] [--json] [--relay-config OUT]
        Add the mappings, SSH servers and relays of a profile to the saved ones: Porthole's YAML/JSON
        export, ~/.ssh/config (Host blocks and their forwards, following its Include lines), port-proxy
        YAML, frpc.toml/.ini, rathole config. The mappings are saved switched off; --enable saves
        the ones the file has on switched on (they start with the app or porthole run).
        --dry-run shows what would be added; --json prints it as JSON.
        --relay-config OUT (frpc, rathole): also write the config of the Porthole relay that replaces
        frps or rathole's server (agent, token, allowed ports), for porthole relay --config OUT there.
        Names that exist already get " (2)"; a listen port in use skips that mapping.

Options for every command:
  --data-dir DIR    Where mappings, the lock and keys live (also PORTHOLE_DATA_DIR).
                    Default: the desktop app's data dir, so the CLI and the app share one configuration.
  -h, --help        Show this help.   -v, --version   Show the version.

Exit codes: 0 ok, 2 bad usage or bad input, 1 runtime failure.
`;
