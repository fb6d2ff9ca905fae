import { describe, expect, it, vi } from 'vitest';
import type * as Address from '../../src-shared/format/address';
import { listenEndpointsCollide } from '../../src-shared/format/address';
import type { ImportPreview } from '../../src-shared/model/import';
import { useServiceCore } from '../../test-support/service-core';

// The preview's check of an import's mappings against each other: a later mapping on an address an
// earlier one (not skipped) takes is skipped by default, naming the first such one.

// Counts address comparisons: each mapping should meet only those on its own port, not every earlier one.
vi.mock('../../src-shared/format/address', async (importOriginal) => {
  const address = await importOriginal<typeof Address>();
  return { ...address, listenEndpointsCollide: vi.fn(address.listenEndpointsCollide) };
});

const listen = (name: string, host: string, port: number, type = 'tcp-forward') => ({ type, name, listen: { host, port }, target: { host: '127.0.0.1', port: 9 } });
const source = (rules: object[]) => ({ name: 'many.json', text: JSON.stringify({ porthole: 1, rules }) });

describe('import preview: mappings of one import on the same address', () => {
  const svc = useServiceCore();
  const preview = (rules: object[]) => svc.call<ImportPreview>('imports.preview', { sources: [source(rules)] });

  it('names the first earlier mapping that is not skipped, per protocol, with the message and key it always had', async () => {
    const p = 40123;
    const pv = await preview([
      listen('A', '127.0.0.2', p),
      listen('B', '127.0.0.3', p),
      listen('U', '0.0.0.0', p, 'udp-forward'),
      listen('Any', '0.0.0.0', p),
      listen('Any again', '::', p),
      listen('V', '127.0.0.1', p, 'udp-forward'),
      listen('Elsewhere', '127.0.0.2', p + 1),
    ]);
    const siblings = pv.items.map((i) => [i.name, i.action, i.conflicts.map((c) => [c.kind, c.existingId, c.message])]);
    const sibling = (key: string, message: string) => [['listen-import', key, message]];
    expect(siblings).toEqual([
      ['A', 'import', []],
      ['B', 'import', []],
      ['U', 'import', []],
      ['Any', 'skip', sibling('r:0:0', `"A" in this import also listens on 127.0.0.2:${p}`)],
      // "Any" is skipped, so it holds nothing: A is still the first holder.
      ['Any again', 'skip', sibling('r:0:0', `"A" in this import also listens on 127.0.0.2:${p}`)],
      ['V', 'skip', sibling('r:0:2', `"U" in this import also listens on 0.0.0.0:${p}`)],
      ['Elsewhere', 'import', []],
    ]);
  });

  it('compares each mapping only with those on its own port, not with every one before it', async () => {
    const n = 400;
    const compared = vi.mocked(listenEndpointsCollide);
    compared.mockClear();
    const pv = await preview(Array.from({ length: n }, (_, i) => listen(`m${i}`, '127.0.0.1', 20000 + i)));
    expect(pv.items.filter((i) => i.action === 'import')).toHaveLength(n);
    // Each of n pairs with all earlier ones would be n(n-1)/2 = 79,800 comparisons.
    expect(compared.mock.calls.length).toBeLessThan(n);
  });
});
