import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps items oldest first until it is full', () => {
    const r = new RingBuffer<number>(3);
    r.push(1);
    r.push(2);
    expect(r.size).toBe(2);
    expect(r.toArray()).toEqual([1, 2]);
    expect(r.last()).toBe(2);
  });

  it('drops the oldest item once past capacity', () => {
    const r = new RingBuffer<number>(3);
    r.pushAll([1, 2, 3, 4, 5]);
    expect(r.size).toBe(3);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.at(0)).toBe(3);
    expect(r.at(2)).toBe(5);
    expect(r.at(3)).toBeUndefined();
  });

  it('returns only the newest items when asked for fewer', () => {
    const r = new RingBuffer<number>(4);
    r.pushAll([1, 2, 3, 4, 5, 6]);
    expect(r.toArray(2)).toEqual([5, 6]);
    expect(r.toArray(10)).toEqual([3, 4, 5, 6]);
  });

  it('holds 5,000 log lines without growing', () => {
    const r = new RingBuffer<number>(5000);
    for (let i = 0; i < 12_345; i++) r.push(i);
    expect(r.size).toBe(5000);
    expect(r.at(0)).toBe(7345);
    expect(r.last()).toBe(12_344);
  });

  it('empties on clear and rejects a bad capacity', () => {
    const r = new RingBuffer<string>(2);
    r.pushAll(['a', 'b']);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});
