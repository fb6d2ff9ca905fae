import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format';
import { readImportText } from './import-bundle';
import { readPortProxyText } from './port-proxy-profile';
import { ProfileError } from './profile-error';

// Every layout sidgwick/port-proxy has used (issue 15). Constructed here in the shape of its files at
// conf.yaml@42a0dc9, local-server.yaml / remote-server.yaml @d78288b, @6caa5ac and @ed9b9c4 (the real
// files run in real-corpus.test.ts where a snapshot of the repository is at hand).

const CONF = 'server:\n  bind: 0.0.0.0:9015\n  proxy:\n    - type: http\n      bind: 127.0.0.1:6688\n      port: 17211\n    - type: tcp # raw\n      bind: 127.0.0.1:6689\n      port: 17210\n\nclient:\n  server: 127.0.0.1:9015\n';
const LOCAL_OLD = '# where the remote server is\nremote-server: 127.0.0.1:9015\n\nproxy_list:\n  - type: tcp\n    local: 6689\n    remote: 17210\n  - type: tcp\n    local: 3022\n    remote: 22\n';
const LOCAL_NAMED =
  'remote-server:\n  - name: tcp@9015\n    addr: tcp://127.0.0.1:9015\n  - name: ws@9016\n    protocol: websocket\n    addr: ws://[2001:db8::5]:9635/pp-ws/\n\nproxy_list:\n  - type: tcp\n    local: 6689\n    remote: tcp@9015\n    remote_port: 8080\n  - type: tcp\n    local: 3022\n    remote: ws@9016\n    remote_port: 22\n';

describe('port-proxy layouts', () => {
  it('conf.yaml (server: and client: in one file): the relay config and the agent, named "port-proxy"', () => {
    expect(detectFormat(CONF, 'conf.yaml')).toBe('port-proxy-server');
    const r = readPortProxyText(CONF, 'conf.yaml');
    expect(r.relayServer).toEqual({
      bind: { host: '0.0.0.0', port: 9015 },
      agents: [{ name: 'port-proxy', allowPorts: [], ports: [{ type: 'http', bind: { host: '127.0.0.1', port: 6688 }, remotePort: 17211 }, { type: 'tcp', bind: { host: '127.0.0.1', port: 6689 }, remotePort: 17210 }] }],
    });
    expect(r.relays).toMatchObject([{ host: '127.0.0.1', port: 9015, agentName: 'port-proxy' }]);
    const b = readImportText(CONF, 'conf.yaml');
    expect(b.relays).toMatchObject([{ agentName: 'port-proxy', acceptAssigned: true }]);
  });

  it('local-server.yaml with one remote address: its ports become the relay\'s, the direction turn is explained', () => {
    expect(detectFormat(LOCAL_OLD, 'local-server.yaml')).toBe('port-proxy-server');
    const r = readPortProxyText(LOCAL_OLD, 'local-server.yaml');
    expect(r.relayServer).toEqual({
      bind: { host: '0.0.0.0', port: 9015 },
      agents: [{ name: 'port-proxy', allowPorts: [], ports: [{ type: 'tcp', bind: { host: '0.0.0.0', port: 6689 }, remotePort: 17210 }, { type: 'tcp', bind: { host: '0.0.0.0', port: 3022 }, remotePort: 22 }] }],
    });
    expect(r.warnings.join('\n')).toContain("port-proxy's local server dials its remote server; with Porthole the direction turns: this machine runs `porthole relay --config local-server.yaml`");
  });

  it('local-server.yaml with named remote servers, remote_port and a websocket one: one agent per name, websocket warned', () => {
    const r = readPortProxyText(LOCAL_NAMED, 'local-server.yaml');
    expect(r.relayServer!.agents).toEqual([
      { name: 'tcp@9015', allowPorts: [], ports: [{ type: 'tcp', bind: { host: '0.0.0.0', port: 6689 }, remotePort: 8080 }] },
      { name: 'ws@9016', allowPorts: [], ports: [{ type: 'tcp', bind: { host: '0.0.0.0', port: 3022 }, remotePort: 22 }] },
    ]);
    expect(r.warnings[0]).toBe(
      'local-server.yaml: remote server "ws@9016" is reached over WebSocket: Porthole\'s agent connects to its relay over TLS directly, so a path that only passes WebSocket (an HTTP reverse proxy, a CDN) will not carry it',
    );
  });

  it('remote-server.yaml (only bind, plain or ws://) is recognised and explained; nothing to import', () => {
    const ws = readImportText('bind: ws://127.0.0.1:7556\n', 'remote-server.yaml');
    expect(detectFormat('bind: ws://127.0.0.1:7556\n', 'remote-server.yaml')).toBe('port-proxy-client');
    expect(ws.rules).toEqual([]);
    expect(ws.warnings[0]).toMatch(/^remote-server\.yaml: port-proxy's remote server config \(only bind ws:\/\/127\.0\.0\.1:7556\): it is the machine whose ports are reached\. With Porthole it runs `porthole agent`/);
    // Plain HOST:PORT is also a (useless) relay config: read as one, with the likelier reading named.
    expect(detectFormat('bind: 0.0.0.0:9015\n', 'remote-server.yaml')).toBe('port-proxy-client');
    const plain = readImportText('bind: 0.0.0.0:9015\n', 'remote-server.yaml');
    expect(plain.rules).toEqual([]);
    expect(plain.warnings[0]).toMatch(/^remote-server\.yaml: only "bind": this may be port-proxy's remote server config \(remote-server\.yaml\)/);
  });

  it('bad entries are refused naming file:line', () => {
    const bad: Array<[string, RegExp]> = [
      ['remote-server:\n  - name: a\n    addr: 127.0.0.1:1\nproxy_list: []\n', /^x\.yaml:3: addr "127\.0\.0\.1:1": expected tcp:\/\/HOST:PORT or ws:\/\/HOST:PORT\/PATH$/],
      ['remote-server:\n  - name: a\n    addr: tcp://h:1\nproxy_list:\n  - local: 1\n    remote: b\n    remote_port: 2\n', /^x\.yaml:6: remote "b" is not the name of a remote-server entry$/],
      ['remote-server: h:1\nproxy_list:\n  - local: 1\n    remote: 99999\n', /^x\.yaml:4: remote "99999": not a port number/],
      ['server:\n  proxy: []\nclient:\n  server: h:1\n', /^x\.yaml: server: missing "bind"/],
    ];
    for (const [text, re] of bad) {
      let msg = '';
      try {
        readPortProxyText(text, 'x.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(ProfileError);
        msg = (err as Error).message;
      }
      expect(msg).toMatch(re);
    }
  });
});
