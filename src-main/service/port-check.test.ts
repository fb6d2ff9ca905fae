import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rule, RuleSchema } from '../../src-shared/model/rule';
import { NetFixtures } from '../../test-support/net-fixtures';
import { checkPort } from './port-check';

const mapping = (id: string, port: number, host = '127.0.0.1'): Rule =>
  RuleSchema.parse({ id, name: `Mapping ${id}`, type: 'tcp-forward', enabled: false, listen: { host, port }, target: { host: '127.0.0.1', port: 9 } });

describe('checkPort: the rule editor asks as the person types', () => {
  const net = new NetFixtures();
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await net.cleanup();
  });

  it('says free for a free port, and names a saved mapping on it (even switched off) with the next free port', async () => {
    const port = await net.freePort();
    expect(await checkPort([], { protocol: 'tcp', host: '127.0.0.1', port }, () => undefined)).toEqual({ free: true });
    const rules = [mapping('a', port, '0.0.0.0')];
    const taken = await checkPort(rules, { protocol: 'tcp', host: '127.0.0.1', port }, () => undefined);
    expect(taken).toMatchObject({ free: false, problem: 'in-use', holder: { kind: 'mapping', id: 'a', name: 'Mapping a' } });
    expect(taken.suggestion).toBeGreaterThan(port);
    // UDP is another port; the mapping being edited does not block itself.
    expect(await checkPort(rules, { protocol: 'udp', host: '127.0.0.1', port }, () => undefined)).toEqual({ free: true });
    expect(await checkPort(rules, { protocol: 'tcp', host: '127.0.0.1', port, ruleId: 'a' }, () => undefined)).toEqual({ free: true });
  });

  it('names the process that holds a port (Linux), this one as Porthole itself, and skips saved ports in the suggestion', async () => {
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})"], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const byChild = await checkPort([], { protocol: 'tcp', host: '127.0.0.1', port }, () => undefined);
    expect(byChild).toMatchObject({ free: false, problem: 'in-use' });
    if (process.platform === 'linux') expect(byChild.holder).toEqual({ kind: 'process', name: 'node', pid: child.pid });

    const mine = await net.server();
    const next = mine.port + 1;
    const byUs = await checkPort([mapping('b', next)], { protocol: 'tcp', host: '127.0.0.1', port: mine.port }, () => undefined);
    expect(byUs.holder).toEqual(process.platform === 'linux' ? { kind: 'porthole' } : { kind: 'unknown' });
    expect(byUs.suggestion).toBeGreaterThan(next);
  });

  it('treats the edited mapping’s own running listener as its own, and an address of another machine as not local', async () => {
    const running = await net.server();
    const self = mapping('self', running.port);
    expect(await checkPort([self], { protocol: 'tcp', host: '127.0.0.1', port: running.port, ruleId: 'self' }, () => `127.0.0.1:${running.port}`)).toEqual({ free: true });
    expect(await checkPort([], { protocol: 'tcp', host: '192.0.2.10', port: 8080 }, () => undefined)).toEqual({ free: false, problem: 'not-local' });
  });
});
