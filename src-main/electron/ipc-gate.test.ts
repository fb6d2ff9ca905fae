import { describe, expect, it } from 'vitest';
import { createCallGate, SHUTTING_DOWN_MESSAGE } from './ipc-gate';

describe('createCallGate', () => {
  it('passes calls through until closed, then answers "shutting down" without running them', async () => {
    const ran: string[] = [];
    const gate = createCallGate({ handle: async (method) => (ran.push(method), { ok: true, value: method }) });
    expect(await gate.handle('rules.list', undefined)).toEqual({ ok: true, value: 'rules.list' });
    gate.close();
    expect(gate.closed).toBe(true);
    expect(await gate.handle('rules.setEnabled', { id: 'x', enabled: true })).toEqual({ ok: false, error: { code: 'INTERNAL', message: SHUTTING_DOWN_MESSAGE } });
    expect(ran).toEqual(['rules.list']);
  });
});

