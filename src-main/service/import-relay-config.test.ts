import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RelayEntry } from '../../src-shared/model/relay';
import type { ImportOutcome, ImportPreview, ImportRelayConfig } from '../../src-shared/model/import';
import { readPortProxyText } from '../profiles/port-proxy-profile';
import { parseStoredSecret } from '../store/secret-tags';
import { useServiceCore } from '../../test-support/service-core';

// Issue 15, "a way off frp": the import preview of an frpc / rathole file offers the config of the
// Porthole relay that replaces their server (imports.relayConfig); a token it had to make (frp's was
// short) is the one the imported relay is saved with, so the two sides match.

describe('imports.relayConfig', () => {
  const svc = useServiceCore();
  const { call } = svc;

  const savedTokens = (): string[] => {
    const f = join(svc.dir, 'secrets.json');
    if (!existsSync(f)) return [];
    const entries = (JSON.parse(readFileSync(f, 'utf8')) as { entries: Record<string, string> }).entries;
    return Object.values(entries).map((v) => {
      const p = parseStoredSecret(v);
      return 'body' in p ? p.body : v;
    });
  };
  const FRPC = { name: 'frpc.toml', text: 'serverAddr = "203.0.113.9"\nserverPort = 7000\nauth.token = "short"\n[[proxies]]\nname = "ssh"\nlocalPort = 22\nremotePort = 6022\n' };

  it('offers the relay config of a previewed frpc.toml; the new token it made is the one the imported relay is saved with', async () => {
    const p = await call<ImportPreview>('imports.preview', { sources: [FRPC] });
    const out = await call<ImportRelayConfig>('imports.relayConfig', { previewId: p.id, file: 0 });
    expect(out.fileName).toBe('porthole-relay.yaml');
    expect(out.notes[0]).toBe("its token has 5 characters and Porthole's relay needs at least 16: the relay config has a new one");
    const policy = readPortProxyText(out.yaml, out.fileName).relayServer!;
    expect(policy).toMatchObject({ bind: { host: '0.0.0.0', port: 7000 }, agents: [{ allowPorts: [{ from: 6022, to: 6022 }] }] });
    const token = policy.agents[0]!.token!;
    // Asked again, the same token (the relay config may be saved twice).
    const again = await call<ImportRelayConfig>('imports.relayConfig', { previewId: p.id, file: 0 });
    expect(readPortProxyText(again.yaml, 'x.yaml').relayServer!.agents[0]!.token).toBe(token);
    await call<ImportOutcome>('imports.apply', { previewId: p.id, decisions: [] });
    const relays = await call<RelayEntry[]>('relays.list');
    expect(relays.map((r) => [r.relay.agentName, r.relay.hasToken])).toEqual([[policy.agents[0]!.name, true]]);
    expect(savedTokens()).toEqual([token]);
  });

  it('without asking for the relay config, the file\'s own token is saved; other formats and unknown files are refused', async () => {
    const p = await call<ImportPreview>('imports.preview', { sources: [FRPC, { name: 'config', text: 'Host a\n  LocalForward 1 b:1\n' }] });
    const r = await svc.core.api.handle('imports.relayConfig', { previewId: p.id, file: 1 });
    expect(r.ok ? 'ok' : r.error.message).toMatch(/^config: --relay-config is for frpc and rathole configs/);
    const none = await svc.core.api.handle('imports.relayConfig', { previewId: p.id, file: 5 });
    expect(none.ok ? 'ok' : none.error.code).toBe('INVALID_INPUT');
    await call<ImportOutcome>('imports.apply', { previewId: p.id, decisions: [] });
    expect(savedTokens()).toEqual(['short']);
  });
});
