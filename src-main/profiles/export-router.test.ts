import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PortholeDocSchema, parseDocRule } from '../../src-shared/model/porthole-doc';
import { type Rule, RuleSchema } from '../../src-shared/model/rule';
import { buildExport } from './export-profile';

// "Open on router" is part of a rule: it survives export and import, and rules saved before it existed
// still load (the field is optional and stays absent).

const rule = (r: Record<string, unknown>): Rule => RuleSchema.parse({ enabled: true, ...r });
const RULES: Rule[] = [
  rule({ id: 'r-game', type: 'tcp-forward', name: 'Game', listen: { host: '0.0.0.0', port: 25565 }, target: { host: '127.0.0.1', port: 25566 }, router: { enabled: true, externalPort: 25000, protocol: 'natpmp', leaseSeconds: 600 } }),
  rule({ id: 'r-voice', type: 'udp-forward', name: 'Voice', listen: { host: '192.168.1.20', port: 9987 }, target: { host: '127.0.0.1', port: 9988 }, router: { enabled: true } }),
  rule({ id: 'r-proxy', type: 'socks', name: 'Proxy', listen: { host: '0.0.0.0', port: 1080 }, router: { enabled: false, externalPort: 10800 } }),
  rule({ id: 'r-old', type: 'tcp-forward', name: 'Saved before', listen: { host: '127.0.0.1', port: 8080 }, target: { host: '127.0.0.1', port: 80 } }),
];

describe('router option in exports', () => {
  it('fills in defaults and leaves rules without the option unchanged', () => {
    expect(RULES[1]!.type === 'udp-forward' && RULES[1]!.router).toEqual({ enabled: true, protocol: 'auto', leaseSeconds: 3600 });
    expect('router' in RULES[3]!).toBe(false);
    expect(() => rule({ ...RULES[0]!, router: { enabled: true, externalPort: 0 } })).toThrow(/port must be between 1 and 65535/);
    expect(rule({ ...RULES[0]!, router: { enabled: true, protocol: 'pcp' } })).toMatchObject({ router: { protocol: 'pcp' } });
    expect(() => rule({ ...RULES[0]!, router: { enabled: true, protocol: 'igd' } })).toThrow();
    expect(() => rule({ ...RULES[0]!, router: { enabled: true, extra: 1 } })).toThrow();
  });

  for (const format of ['yaml', 'json'] as const) {
    it(`round-trips through Porthole ${format.toUpperCase()}`, () => {
      const res = buildExport({ rules: RULES, servers: [], relays: [] }, { format });
      expect(res.warnings).toEqual([]);
      const doc = PortholeDocSchema.parse(format === 'json' ? JSON.parse(res.text) : parseYaml(res.text));
      const back = doc.rules.map((r) => {
        const p = parseDocRule(r);
        if (!p.success) throw p.error;
        return p.data;
      });
      expect(back.map((r) => ('router' in r ? r.router : undefined))).toEqual(RULES.map((r) => ('router' in r ? r.router : undefined)));
      expect('router' in back[3]!).toBe(false);
    });
  }
});
