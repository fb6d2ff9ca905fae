import { describe, expect, it } from 'vitest';
import type { LocalRelaySettings } from '../../src-shared/api/contract';
import { TOKEN_TOO_SHORT } from '../../src-shared/model/relay';
import {
  AGENT_TOKEN_MISSING,
  checkRelayServerForm,
  generateToken,
  newAgentValues,
  relayServerConfigFrom,
  relayServerDirty,
  relayServerIssuesToFields,
  relayRouterLoopback,
  relayServerValuesFrom,
  tokensFrom,
} from './relay-server-form';

const settings: LocalRelaySettings = {
  config: { bind: { host: '127.0.0.1', port: 9015 }, publicHost: '127.0.0.1', tls: true, agents: [{ name: 'laptop', allowPorts: '20000-20100', hasToken: true }] },
  withToken: ['laptop'],
};

describe('relay server settings form', () => {
  it('round-trips the saved settings and is clean until something changes', () => {
    const values = relayServerValuesFrom(settings);
    expect(relayServerConfigFrom(values)).toEqual({
      bind: { host: '127.0.0.1', port: 9015 },
      publicHost: '127.0.0.1',
      tls: true,
      agents: [{ name: 'laptop', allowPorts: '20000-20100' }],
    });
    expect(relayServerDirty(values, settings)).toBe(false);
    expect(relayServerDirty({ ...values, bindPort: '9016' }, settings)).toBe(true);
    expect(relayServerDirty({ ...values, agents: [{ ...values.agents[0]!, token: 'new' }] }, settings)).toBe(true);
    expect(relayServerDirty(values, null)).toBe(true);
  });

  it('"Open on router": absent until switched on, kept (with its lease) once saved, dirty on a change, loopback addresses named', () => {
    const values = relayServerValuesFrom(settings);
    expect(values).toMatchObject({ routerEnabled: false, routerProtocol: 'auto', routerLeaseSeconds: undefined });
    expect(relayRouterLoopback(values)).toEqual([]);
    const on = { ...values, routerEnabled: true, routerProtocol: 'natpmp' as const };
    expect(relayServerConfigFrom(on).router).toEqual({ enabled: true, protocol: 'natpmp' });
    expect(relayServerDirty(on, settings)).toBe(true);
    expect(relayRouterLoopback(on)).toEqual(['bindHost', 'publicHost']);
    expect(relayRouterLoopback({ ...on, bindHost: '0.0.0.0', publicHost: '192.168.1.20' })).toEqual([]);

    const saved: LocalRelaySettings = { ...settings, config: { ...settings.config, router: { enabled: true, protocol: 'pcp', leaseSeconds: 600 } } };
    const back = relayServerValuesFrom(saved);
    expect(relayServerDirty(back, saved)).toBe(false);
    // Switched off again: the option stays in the settings (off), with the lease the form does not show.
    expect(relayServerConfigFrom({ ...back, routerEnabled: false }).router).toEqual({ enabled: false, protocol: 'pcp', leaseSeconds: 600 });
    expect(relayServerDirty({ ...back, routerEnabled: false }, saved)).toBe(true);
  });

  it('sends only typed tokens, by trimmed agent name', () => {
    const values = relayServerValuesFrom(settings);
    values.agents.push({ ...newAgentValues(), name: ' phone ', token: 't2' });
    expect(tokensFrom(values)).toEqual({ phone: 't2' });
  });

  it('flags bad ports, ranges and duplicate names, and warns about agents without a token', () => {
    const values = relayServerValuesFrom(settings);
    values.bindPort = '0';
    values.agents.push({ ...newAgentValues(), name: 'laptop', allowPorts: '20000-' });
    values.agents.push({ ...newAgentValues(), name: 'phone' });
    const c = checkRelayServerForm(values, settings.withToken);
    expect(c.valid).toBe(false);
    expect(c.errors.bindPort).toBe('port must be between 1 and 65535');
    expect(c.errors['agents.1.name']).toMatch(/names must be unique/);
    expect(c.errors['agents.1.allowPorts']).toMatch(/ports or ranges separated by commas/);
    expect(c.warnings['agents.0.token']).toBeUndefined();
    expect(c.warnings['agents.2.token']).toBe(AGENT_TOKEN_MISSING);
  });

  it('refuses a typed agent token under 16 characters; Generate makes one long enough', () => {
    const values = relayServerValuesFrom(settings);
    values.agents[0]!.token = 'hunter2';
    const c = checkRelayServerForm(values, settings.withToken);
    expect(c.valid).toBe(false);
    expect(c.errors['agents.0.token']).toBe(TOKEN_TOO_SHORT);
    values.agents[0]!.token = generateToken();
    expect(checkRelayServerForm(values, settings.withToken).valid).toBe(true);
  });

  it('warns when the relay listens beyond loopback', () => {
    const values = relayServerValuesFrom(settings);
    expect(checkRelayServerForm({ ...values, bindHost: '0.0.0.0' }, []).warnings.bindHost).toMatch(/all interfaces/);
    expect(checkRelayServerForm({ ...values, bindHost: '192.168.1.5' }, []).warnings.bindHost).toMatch(/other machines/);
    expect(checkRelayServerForm(values, ['laptop']).warnings).toEqual({});
  });

  it('maps the host’s `config.*` issue paths onto fields', () => {
    expect(relayServerIssuesToFields([{ path: 'config.agents.0.name', message: 'agent names must be unique' }, { path: 'tokens', message: 'x' }])).toEqual({
      fields: { 'agents.0.name': 'agent names must be unique' },
      other: ['tokens: x'],
    });
  });

  it('generates distinct url-safe tokens', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });
});
