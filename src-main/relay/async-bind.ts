import { AsyncResource } from 'node:async_hooks';

let installed = false;

type AnyFunction = (...args: unknown[]) => unknown;
/** bind as Node has it (the typings leave out thisArg). */
type Bind = (this: AsyncResource, fn: AnyFunction, thisArg?: unknown) => AnyFunction;

/**
 * Node 20's AsyncResource#bind gives every function it returns a deprecated `asyncResource` accessor
 * (DEP0172) made of two fresh deprecate() wrappers, each of which sets a prototype: node:http2's
 * ClientHttp2Session#request() binds once per stream, so the relay paid for it on every public
 * connection that takes an HTTP/2 stream (--cpu-prof of a connection-rate run: 308 of ~3,900 ms of the
 * relay's CPU, plus a megamorphic `prototype` site that sees a new map per call). Node dropped the
 * accessor later (nodejs/node#58218, #59195). This replaces bind, in the calling thread only, with the
 * same binding without the accessor: the function runs in the resource's async scope, with the same
 * `this` and `length`. Nothing in Porthole or its dependencies reads `asyncResource` off a bound
 * function. Measured (relay-pair-compare-style fresh pairs, 32 concurrent, 10 rounds): the relay's CPU
 * per connection 227 → 175 µs, connections/s 2,669 → 2,996 with the pool off.
 */
export function installLeanAsyncBind(): void {
  if (installed) return;
  installed = true;
  const proto = AsyncResource.prototype as unknown as { bind: Bind };
  const original = proto.bind;
  // Only where it is the accessor-defining one this replaces (a Node without it keeps its own).
  if (!original.toString().includes('asyncResource')) return;
  proto.bind = function bind(fn, thisArg) {
    if (typeof fn !== 'function') return original.call(this, fn, thisArg);
    const bound = thisArg === undefined ? callerThis(this, fn) : this.runInAsyncScope.bind(this, fn, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound as AnyFunction;
  };
}

/** fn in the resource's async scope, called with the `this` its caller gives. */
function callerThis(resource: AsyncResource, fn: AnyFunction): AnyFunction {
  return function bound(this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}
