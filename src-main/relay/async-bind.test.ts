import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { installLeanAsyncBind } from './async-bind';

// The replacement of Node 20's AsyncResource#bind (see async-bind.ts) must bind as Node's does: the
// resource's async scope and context, the same `this` and `length`, errors for what is not a function.

describe('installLeanAsyncBind', () => {
  installLeanAsyncBind();
  const als = new AsyncLocalStorage<string>();

  it('runs the bound function in the resource async scope and context, outside of which it is called', () => {
    let resource!: AsyncResource;
    als.run('at bind time', () => {
      resource = new AsyncResource('Test');
    });
    const bound = resource.bind((a: number, b: number) => [als.getStore(), executionAsyncId(), a + b]);
    als.run('at call time', () => {
      expect(bound(2, 3)).toEqual(['at bind time', resource.asyncId(), 5]);
    });
  });

  it('keeps the caller this, or the one given; keeps length; adds no asyncResource property', () => {
    const resource = new AsyncResource('Test');
    const fn = function (this: unknown, _a: unknown, _b: unknown) {
      return this;
    };
    const bound = resource.bind(fn);
    const receiver = { bound };
    expect(receiver.bound(1, 2)).toBe(receiver);
    const given = {};
    // (Node's bind takes a thisArg; its typings leave it out.)
    const boundTo = (resource.bind as unknown as (this: AsyncResource, f: typeof fn, thisArg: unknown) => typeof fn).call(resource, fn, given);
    expect(boundTo.call(receiver, 1, 2)).toBe(given);
    // The static form, and AsyncLocalStorage.bind, go through the same instance bind.
    const viaStatic = (AsyncResource.bind as unknown as (f: typeof fn, type: string, thisArg: unknown) => typeof fn)(fn, 'Test', given);
    expect(viaStatic(1, 2)).toBe(given);
    const viaAls = AsyncLocalStorage.bind(fn);
    for (const f of [bound, boundTo, viaStatic, viaAls]) {
      expect(f.length).toBe(2);
      expect(Object.getOwnPropertyNames(f)).not.toContain('asyncResource');
    }
  });

  it('is what node:http2 and everything else in this thread gets, installed once; a non-function is refused as before', () => {
    const bind = AsyncResource.prototype.bind;
    installLeanAsyncBind();
    expect(AsyncResource.prototype.bind).toBe(bind);
    expect(bind.toString()).not.toContain('deprecate');
    expect(() => new AsyncResource('Test').bind(42 as unknown as () => void)).toThrow(/"fn" argument must be of type function/);
  });
});
