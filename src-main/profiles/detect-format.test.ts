import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format';
import { FIXTURES, mutations } from '../../test-support/relay-import-helpers';

const EXPECTED: Record<string, ReturnType<typeof detectFormat>> = {
  'port-proxy/server.yaml': 'port-proxy-server',
  'port-proxy/seed-server-as-printed.yaml': 'port-proxy-server',
  'port-proxy/server-porthole.yaml': 'port-proxy-server',
  'port-proxy/client.yaml': 'port-proxy-client',
  'port-proxy/seed-client-as-printed.yaml': 'port-proxy-client',
  'port-proxy/client-porthole.yaml': 'port-proxy-client',
  'frpc/frpc.toml': 'frpc-toml',
  'frpc/frpc-ipv6.toml': 'frpc-toml',
  'frpc/frpc-templates.toml': 'frpc-toml',
  'frpc/frpc.ini': 'frpc-ini',
  'rathole/client.toml': 'rathole-client',
  'rathole/client-tls.toml': 'rathole-client',
  'home/.ssh/config': 'ssh-config',
};

function corpus(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(FIXTURES, p).split(path.sep).join('/'));
    }
  };
  walk(FIXTURES);
  return out.sort();
}

describe('detectFormat', () => {
  it('recognizes every relay corpus file by content, with or without its file name', () => {
    for (const [rel, want] of Object.entries(EXPECTED)) {
      const text = readFileSync(path.join(FIXTURES, rel), 'utf8');
      expect([rel, detectFormat(text, rel)]).toEqual([rel, want]);
      expect([rel, detectFormat(text, 'upload.txt')]).toEqual([rel, want]);
    }
  });

  it('returns a format or undefined for every file in the fixtures tree', () => {
    const all = corpus();
    expect(all.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
    for (const rel of all) {
      const got = detectFormat(readFileSync(path.join(FIXTURES, rel), 'utf8'), rel);
      expect(got === undefined || typeof got === 'string').toBe(true);
    }
  });

  it('small hand-written cases', () => {
    expect(detectFormat('{"rules": []}', 'x')).toBe('porthole-json');
    expect(detectFormat('\uFEFF{\r\n  "version": 1, "rules": [{"type":"tcp-forward"}]\r\n}', 'export.json')).toBe('porthole-json');
    expect(detectFormat('{"serverAddr": "x"}', 'frpc.json')).toBeUndefined();
    expect(detectFormat('Host web\n  HostName 10.0.0.1\n  LocalForward 8080 localhost:80\n', 'config')).toBe('ssh-config');
    expect(detectFormat('LocalForward 8080 localhost:80\n', '')).toBe('ssh-config');
    expect(detectFormat('[common]\r\nserver_addr = 1.2.3.4\r\n', '')).toBe('frpc-ini');
    expect(detectFormat('serverAddr = "x"\n', '')).toBe('frpc-toml');
    expect(detectFormat('[client]\nremote_addr = "a:1"\n', '')).toBe('rathole-client');
    expect(detectFormat('name: a\nserver: b:1\n', '')).toBe('port-proxy-client');
    expect(detectFormat('bind: 0.0.0.0:1\nproxy: []\n', '')).toBe('port-proxy-server');
    expect(detectFormat('', 'frpc.toml')).toBeUndefined();
    expect(detectFormat('hello world\n', 'frpc.toml')).toBeUndefined();
    expect(detectFormat('a\0b', 'x')).toBeUndefined();
  });

  it('the file name breaks a tie between formats whose signs both appear', () => {
    const both = '[[proxies]]\nname = "x"\n[client]\nremote_addr = "a:1"\n';
    expect(detectFormat(both, 'frpc.toml')).toBe('frpc-toml');
    expect(detectFormat(both, 'rathole.toml')).toBe('rathole-client');
    expect(detectFormat(both, 'unknown')).toBe('rathole-client');
  });

  it('never throws on mutated input', () => {
    for (const rel of Object.keys(EXPECTED)) {
      const text = readFileSync(path.join(FIXTURES, rel), 'utf8');
      for (const m of mutations(text, 5000 + rel.length, 25)) {
        const got = detectFormat(m, rel);
        expect(got === undefined || typeof got === 'string').toBe(true);
      }
    }
  });
});
