import { describe, expect, it } from 'vitest';
import { type Relay, type RelayEntry, TOKEN_TOO_SHORT } from '../../src-shared/model/relay';
import { changedCertificate, relayOptionLabel, sameFingerprint } from './relay-describe';
import { checkRelayForm, emptyRelayValues, NO_TOKEN_WARNING, relayApiErrors, relayInputFrom, relayValuesFrom, type RelayFormValues } from './relay-form';

const FP = 'AB:'.repeat(31) + 'CD';
const FP2 = '12:'.repeat(31) + '34';
const saved: Relay = { id: 'r1', name: 'vps', host: 'relay.example', port: 9015, agentName: 'laptop', tls: true, fingerprint: FP, hasToken: true, acceptAssigned: false };
const v = (patch: Partial<RelayFormValues>): RelayFormValues => ({ ...emptyRelayValues(), name: 'vps', host: 'relay.example', agentName: 'laptop', ...patch });

describe('relay form', () => {
  it('starts on port 9015 with TLS on', () => {
    expect(emptyRelayValues()).toMatchObject({ port: '9015', tls: true, fingerprint: '', acceptAssigned: false });
  });

  it('sends the token only when typed, and an empty one to remove the stored token', () => {
    expect(relayInputFrom(v({ token: 's3cret' }))).toEqual({
      relay: { name: 'vps', host: 'relay.example', port: 9015, agentName: 'laptop', tls: true, hasToken: true, acceptAssigned: false },
      token: 's3cret',
    });
    const kept = relayInputFrom(relayValuesFrom(saved), saved);
    expect(kept).not.toHaveProperty('token');
    expect(kept.relay).toMatchObject({ fingerprint: FP, hasToken: true });
    expect(relayInputFrom({ ...relayValuesFrom(saved), clearToken: true }, saved)).toMatchObject({ token: '', relay: { hasToken: false } });
  });

  it('refuses a typed token under 16 characters, saying how to make a strong one, and keeps a stored one as it is', () => {
    const c = checkRelayForm(v({ token: 'fifteen-chars-x' }));
    expect(c.valid).toBe(false);
    expect(c.errors.token).toBe(TOKEN_TOO_SHORT);
    expect(TOKEN_TOO_SHORT).toContain('porthole relay --gen-token');
    expect(checkRelayForm(relayValuesFrom(saved), saved).valid).toBe(true);
  });

  it('checks fields with the shared schema and warns when no token will be stored', () => {
    expect(checkRelayForm(v({ token: 'sixteen-chars-xx' })).valid).toBe(true);
    expect(checkRelayForm(v({})).warnings.token).toBe(NO_TOKEN_WARNING);
    expect(checkRelayForm(relayValuesFrom(saved), saved).warnings).toEqual({});
    const bad = checkRelayForm(v({ name: ' ', host: 'bad host!', port: '70000', agentName: '', fingerprint: 'xyz' }));
    expect(bad.valid).toBe(false);
    expect(bad.errors).toEqual({
      name: 'give the relay a name',
      host: 'not a valid host name or IP address',
      port: 'port must be between 1 and 65535',
      agentName: 'enter the agent name the relay knows this machine by',
      fingerprint: 'a SHA-256 fingerprint is 64 hex digits (colons optional)',
    });
    expect(checkRelayForm(v({ fingerprint: FP.replace(/:/g, '').toLowerCase() })).errors).toEqual({});
  });

  it('maps the host’s `relay.*` issue paths onto fields', () => {
    expect(relayApiErrors([{ path: 'relay.host', message: 'nope' }], 'Invalid input')).toEqual({ fields: { host: 'nope' }, formError: null });
    expect(relayApiErrors([], 'in use')).toEqual({ fields: {}, formError: 'in use' });
  });
});

describe('relay describe', () => {
  const entry = (patch: Partial<RelayEntry>): RelayEntry => ({ relay: saved, state: 'failed', usedBy: [], ...patch });

  it('reports a changed certificate only with RELAY_CERT_CHANGED and two different fingerprints', () => {
    const changed = entry({ error: { code: 'RELAY_CERT_CHANGED', message: 'm' }, seenFingerprint: FP2 });
    expect(changedCertificate(changed)).toEqual({ pinned: FP, seen: FP2 });
    expect(changedCertificate({ ...changed, seenFingerprint: FP.toLowerCase() })).toBeUndefined();
    expect(changedCertificate(entry({ error: { code: 'AUTH_FAILED', message: 'm' }, seenFingerprint: FP2 }))).toBeUndefined();
    expect(changedCertificate(entry({ error: { code: 'RELAY_CERT_CHANGED', message: 'm' } }))).toBeUndefined();
  });

  it('compares fingerprints whatever their case and colons', () => {
    expect(sameFingerprint(FP, FP.replace(/:/g, '').toLowerCase())).toBe(true);
    expect(sameFingerprint(FP, FP2)).toBe(false);
    expect(sameFingerprint(undefined, FP)).toBe(false);
  });

  it('labels a relay option with its address and agent name', () => {
    expect(relayOptionLabel(saved)).toBe('vps (relay.example:9015, agent laptop)');
  });
});
