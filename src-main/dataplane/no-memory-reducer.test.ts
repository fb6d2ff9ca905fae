import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withoutMemoryReducer } from './no-memory-reducer';

// What V8 does with the flag (an isolate made while it is off has no memory reducer; one made before
// keeps its own) was measured by hand with --trace-gc: a worker made this way showed no
// "Mark-Compact (reduce)" in 25 s idle after its full collections, the main thread still did.
// Here: the order of the flag changes around the worker's start, which is what makes that hold.

function recorder() {
  const flags: string[] = [];
  return { flags, set: (f: string) => void flags.push(f) };
}

describe('withoutMemoryReducer', () => {
  it('clears the flag before the worker is made and sets it again only once the worker runs', () => {
    const r = recorder();
    const w = new EventEmitter();
    let flagsWhenMade: string[] = [];
    withoutMemoryReducer(() => ((flagsWhenMade = [...r.flags]), w), r.set, []);
    expect(flagsWhenMade).toEqual(['--no-memory-reducer']);
    expect(r.flags).toEqual(['--no-memory-reducer']);
    w.emit('online');
    expect(r.flags).toEqual(['--no-memory-reducer', '--memory-reducer']);
    w.emit('exit', 0);
    expect(r.flags).toHaveLength(2);
  });

  it('with two workers starting at once, sets the flag again after the last of them runs', () => {
    const r = recorder();
    const a = new EventEmitter();
    const b = new EventEmitter();
    withoutMemoryReducer(() => a, r.set, []);
    withoutMemoryReducer(() => b, r.set, []);
    a.emit('online');
    expect(r.flags.at(-1)).toBe('--no-memory-reducer');
    b.emit('error', new Error('failed to start'));
    expect(r.flags.at(-1)).toBe('--memory-reducer');
  });

  it('sets the flag again when making the worker throws, and keeps it off for a process started with --no-memory-reducer', () => {
    const r = recorder();
    expect(() =>
      withoutMemoryReducer(() => {
        throw new Error('no entry');
      }, r.set, []),
    ).toThrow('no entry');
    expect(r.flags).toEqual(['--no-memory-reducer', '--memory-reducer']);
    const off = recorder();
    const w = new EventEmitter();
    withoutMemoryReducer(() => w, off.set, ['--no-memory-reducer']);
    w.emit('online');
    expect(off.flags).toEqual(['--no-memory-reducer']);
  });
});
