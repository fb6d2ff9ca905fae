import { describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../../src-shared/model/inspector';
import { CLIENT_MAX, applyEvent, applyList, emptyInspector, filterIds, statusClass } from './inspector';

const x = (id: number, over: Partial<ExchangeSummary> = {}): ExchangeSummary => ({
  id,
  ruleId: 'a',
  connId: 1,
  client: '127.0.0.1:1',
  startedAt: 0,
  method: 'GET',
  url: `/p${id}`,
  status: 200,
  requestBytes: 0,
  responseBytes: 0,
  durationMs: 1,
  end: 'complete',
  ...over,
});

describe('inspector store', () => {
  it('appends new exchanges and keeps the objects of rows already shown (memoised rows stay as they are)', () => {
    const s1 = applyList(emptyInspector(), { exchanges: [x(1), x(2)], notices: [] });
    const first = s1.byId.get(1);
    const s2 = applyEvent(s1, { kind: 'added', exchanges: [x(2), x(3)] });
    expect(s2.ids).toEqual([1, 2, 3]);
    expect(s2.byId.get(1)).toBe(first);
    // A list fetched later hands back the same objects for ids it already had.
    const s3 = applyList(s2, { exchanges: [x(1), x(2), x(3)], notices: [] });
    expect(s3.byId.get(1)).toBe(first);
  });

  it('clears one mapping or all, dropping its selection and ticks', () => {
    let s = applyList(emptyInspector(), { exchanges: [x(1), x(2, { ruleId: 'b' })], notices: [] });
    s = { ...s, selectedId: 1, checked: new Set([1, 2]) };
    s = applyEvent(s, { kind: 'cleared', ruleId: 'a' });
    expect([s.ids, s.selectedId, [...s.checked]]).toEqual([[2], null, [2]]);
    expect(applyEvent(s, { kind: 'cleared' }).ids).toEqual([]);
  });

  it('keeps at most CLIENT_MAX exchanges, the newest', () => {
    const many = Array.from({ length: CLIENT_MAX + 5 }, (_, i) => x(i + 1));
    const s = applyEvent(emptyInspector(), { kind: 'added', exchanges: many });
    expect(s.ids.length).toBe(CLIENT_MAX);
    expect(s.ids[0]).toBe(6);
    expect(s.byId.size).toBe(CLIENT_MAX);
  });

  it('filters by text, status class, method and mapping', () => {
    const s = applyList(emptyInspector(), { exchanges: [x(1), x(2, { status: 404, method: 'POST' }), x(3, { status: 0, ruleId: 'b', url: '/hook' })], notices: [] });
    const ids = (filter: Partial<typeof s.filter>) => filterIds({ ...s, filter: { ...s.filter, ...filter } }, (id) => (id === 'b' ? 'Webhooks' : 'Web'));
    expect(ids({ status: '4xx' })).toEqual([2]);
    expect(ids({ status: 'other' })).toEqual([3]);
    expect(ids({ method: 'POST' })).toEqual([2]);
    expect(ids({ ruleId: 'b' })).toEqual([3]);
    expect(ids({ text: 'webhooks' })).toEqual([3]);
    expect(ids({ text: '404' })).toEqual([2]);
    expect([statusClass(101), statusClass(302), statusClass(503)]).toEqual(['other', '3xx', '5xx']);
  });
});
