import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { isIPv6, listenEndpointsCollide } from '../../src-shared/format/address';
import type { PortCheck, PortCheckInput, PortHolder } from '../../src-shared/model/ports';
import { type Rule, ruleListenEndpoint } from '../../src-shared/model/rule';
import { errnoCode } from '../engine/engine-error';
import { findPortOwner } from '../engine/port-owner';

/** How far past the asked port a free one is looked for. */
const SUGGEST_WITHIN = 50;

type Probe = 'free' | 'in-use' | 'permission' | 'not-local';

/** Binds and releases at once: the one test that says what a listen would do now. */
function probe(protocol: 'tcp' | 'udp', host: string, port: number): Promise<Probe> {
  const verdict = (err: unknown): Probe => {
    const code = errnoCode(err);
    if (code === 'EACCES' || code === 'EPERM') return 'permission';
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'not-local';
    return 'in-use';
  };
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const s = createServer();
      s.once('error', (err) => resolve(verdict(err)));
      s.listen({ host, port, exclusive: true }, () => s.close(() => resolve('free')));
    } else {
      const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      s.once('error', (err) => {
        s.close();
        resolve(verdict(err));
      });
      s.bind({ address: host, port, exclusive: true }, () => s.close(() => resolve('free')));
    }
  });
}

function mappingOn(rules: readonly Rule[], protocol: 'tcp' | 'udp', host: string, port: number, selfId: string | undefined): Rule | undefined {
  return rules.find((r) => {
    if (r.id === selfId) return false;
    const ep = ruleListenEndpoint(r);
    return ep !== undefined && ep.protocol === protocol && listenEndpointsCollide(ep, { host, port });
  });
}

async function suggest(rules: readonly Rule[], input: PortCheckInput): Promise<number | undefined> {
  for (let p = input.port + 1; p <= Math.min(65535, input.port + SUGGEST_WITHIN); p++) {
    if (mappingOn(rules, input.protocol, input.host, p, input.ruleId)) continue;
    if ((await probe(input.protocol, input.host, p)) === 'free') return p;
  }
  return undefined;
}

/**
 * Whether `input` can be listened on: a saved mapping there (other than the one being edited) takes it
 * even while switched off — saving would be refused — else what binding it now says, with the process
 * that holds it where the system tells.
 */
export async function checkPort(rules: readonly Rule[], input: PortCheckInput, selfBound: (id: string) => string | undefined): Promise<PortCheck> {
  const { protocol, host, port, ruleId } = input;
  const other = mappingOn(rules, protocol, host, port, ruleId);
  if (other) {
    const suggestion = await suggest(rules, input);
    return { free: false, problem: 'in-use', holder: { kind: 'mapping', id: other.id, name: other.name }, ...(suggestion ? { suggestion } : {}) };
  }
  // The mapping being edited runs on this very port: it is its own, not taken.
  const self = ruleId !== undefined ? rules.find((r) => r.id === ruleId) : undefined;
  const selfEp = self && ruleListenEndpoint(self);
  if (self && selfEp && selfEp.protocol === protocol && selfBound(self.id) !== undefined && listenEndpointsCollide(selfEp, { host, port })) return { free: true };
  const found = await probe(protocol, host, port);
  if (found === 'free') return { free: true };
  if (found !== 'in-use') return { free: false, problem: found };
  const owner = findPortOwner(protocol, port);
  const holder: PortHolder = !owner ? { kind: 'unknown' } : owner.pid === process.pid ? { kind: 'porthole' } : { kind: 'process', name: owner.name, pid: owner.pid };
  const suggestion = await suggest(rules, input);
  return { free: false, problem: 'in-use', holder, ...(suggestion ? { suggestion } : {}) };
}
