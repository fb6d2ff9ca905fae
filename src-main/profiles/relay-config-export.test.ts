import { describe, expect, it } from 'vitest';
import { readImportText } from './import-bundle';
import { readPortProxyText } from './port-proxy-profile';
import { ProfileError } from './profile-error';
import { relayConfigFor } from './relay-config-export';

// The relay config written for an frpc / rathole import (issue 15, "a way off frp") is read back by the
// very reader `porthole relay --config` uses, and lets the imported agent ask for exactly its ports.

const TOKEN = 'a-token-long-enough-for-porthole';

function policyOf(yaml: string) {
  const r = readPortProxyText(yaml, 'relay.yaml');
  expect(r.format).toBe('port-proxy-server');
  return r.relayServer!;
}

describe('relayConfigFor', () => {
  it('frpc.toml: the frps port on every interface, the agent name and token of the imported relay, its proxies\' ports', () => {
    const b = readImportText(
      `serverAddr = "203.0.113.7"\nserverPort = 7000\nauth.token = "${TOKEN}"\n[[proxies]]\nname = "ssh"\ntype = "tcp"\nlocalPort = 22\nremotePort = 6000\n[[proxies]]\nname = "dns"\ntype = "udp"\nlocalPort = 53\nremotePort = 6001\n[[proxies]]\nname = "web"\ntype = "tcp"\nlocalPort = 80\n`,
      'frpc.toml',
    );
    const out = relayConfigFor(b);
    expect(out.generated).toBe(false);
    expect(out.token).toBe(TOKEN);
    const policy = policyOf(out.yaml);
    expect(policy).toMatchObject({ bind: { host: '0.0.0.0', port: 7000 }, tls: true, publicHost: '0.0.0.0' });
    expect(policy.agents).toEqual([{ name: b.relays[0]!.agentName, token: TOKEN, ports: [], allowPorts: [{ from: 6000, to: 6001 }, { from: 30000, to: 30099 }] }]);
    expect(out.notes).toEqual(['mappings without a public port get one the relay picks from 30000-30099 (allow_ports in the relay config)']);
    expect(out.yaml.startsWith('# Porthole relay config for the agent imported from frpc.toml.\n# Run it where frps ran')).toBe(true);
  });

  it('a short or missing token is replaced by a new one of 32 characters, and the note says why', () => {
    const short = relayConfigFor(readImportText('serverAddr = "127.0.0.1"\nserverPort = 7000\nauth.token = "12345678"\n[[proxies]]\nname = "a"\nlocalPort = 1\nremotePort = 2\n', 'frpc.toml'));
    expect(short.generated).toBe(true);
    expect(short.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(short.notes[0]).toBe("its token has 8 characters and Porthole's relay needs at least 16: the relay config has a new one");
    // On loopback frps was this machine's: the relay stays there too.
    expect(policyOf(short.yaml)).toMatchObject({ bind: { host: '127.0.0.1', port: 7000 }, publicHost: '127.0.0.1' });
    const none = relayConfigFor(readImportText('[common]\nserver_addr = 198.51.100.1\n[a]\ntype = tcp\nlocal_port = 1\nremote_port = 2\n', 'frpc.ini'));
    expect(none.notes[0]).toBe("there is no token in it, and Porthole's relay needs one: the relay config has a new one");
    expect(policyOf(none.yaml).agents[0]!.token).toBe(none.token);
  });

  it('rathole with both halves: the [server] half\'s bind_addr and service ports', () => {
    const b = readImportText(
      `[client]\nremote_addr = "vps.example:2333"\ndefault_token = "${TOKEN}"\n[client.services.ssh]\nlocal_addr = "127.0.0.1:22"\n[server]\nbind_addr = "0.0.0.0:2333"\ndefault_token = "${TOKEN}"\n[server.services.ssh]\nbind_addr = "0.0.0.0:5202"\n`,
      'config.toml',
    );
    expect(b.rules).toMatchObject([{ type: 'relay-expose', name: 'ssh', remotePort: 5202 }]);
    const policy = policyOf(relayConfigFor(b).yaml);
    expect(policy).toMatchObject({ bind: { host: '0.0.0.0', port: 2333 }, publicHost: '0.0.0.0', agents: [{ name: 'rathole', token: TOKEN, allowPorts: [{ from: 5202, to: 5202 }] }] });
  });

  it('a rathole server-only file becomes the relay config of its services', () => {
    const b = readImportText(`[server]\nbind_addr = "[::]:2333"\ndefault_token = "${TOKEN}"\n[server.services.a]\nbind_addr = "0.0.0.0:5202"\n[server.services.b]\nbind_addr = "0.0.0.0:5203"\n`, 'server.toml');
    expect(b.format).toBe('rathole-server');
    expect(b.rules).toEqual([]);
    expect(b.warnings.at(-1)).toMatch(/^server\.toml: this is rathole's server config \(what the VPS runs\): there, Porthole's relay takes its place/);
    const policy = policyOf(relayConfigFor(b).yaml);
    expect(policy).toMatchObject({ bind: { host: '::', port: 2333 }, agents: [{ name: 'rathole', token: TOKEN, allowPorts: [{ from: 5202, to: 5203 }] }] });
  });

  it('is refused, naming the file, for profiles without such a server side', () => {
    expect(() => relayConfigFor(readImportText('Host a\n  LocalForward 1 b:1\n', 'config'))).toThrow(ProfileError);
    expect(() => relayConfigFor(readImportText('bind: 0.0.0.0:9015\nproxy:\n  - remote_name: x\n', 'server.yaml'))).toThrow('server.yaml: --relay-config is for frpc and rathole configs (their server side becomes a Porthole relay); this is already a relay config: run it with porthole relay --config');
  });
});
