import { describe, expect, it } from 'vitest';
import type { HostKeyPrompt } from '../../src-shared/model/ssh';
import { HostKeyPrompts } from './host-key-prompts';

const ask = { serverId: 's', host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' };

describe('HostKeyPrompts', () => {
  it('emits a prompt and resolves with the answer given for its id', async () => {
    const seen: HostKeyPrompt[] = [];
    const p = new HostKeyPrompts((x) => seen.push(x));
    const decision = p.ask(ask);
    expect(seen).toHaveLength(1);
    expect(p.list()).toHaveLength(1);
    expect(p.answer(seen[0]!.promptId, 'always')).toBe(true);
    expect(await decision).toBe('always');
    expect(p.answer(seen[0]!.promptId, 'once')).toBe(false);
    expect(p.list()).toHaveLength(0);
  });

  it('shares one prompt between connections asking about the same key', async () => {
    const seen: HostKeyPrompt[] = [];
    const p = new HostKeyPrompts((x) => seen.push(x));
    const a = p.ask(ask);
    const b = p.ask(ask);
    expect(seen).toHaveLength(1);
    p.answer(seen[0]!.promptId, 'once');
    expect(await Promise.all([a, b])).toEqual(['once', 'once']);
  });

  it('rejects when nobody answers in time, and on dispose', async () => {
    const p = new HostKeyPrompts(() => undefined, 30);
    expect(await p.ask(ask)).toBe('reject');
    const q = new HostKeyPrompts(() => undefined);
    const pending = q.ask({ ...ask, fingerprint: 'SHA256:other' });
    q.dispose();
    expect(await pending).toBe('reject');
  });
});
