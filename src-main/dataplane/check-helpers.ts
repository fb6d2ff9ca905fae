import { RULE_ERROR_CODES } from '../../src-shared/model/errors';
import type { HostPort, WireError } from './protocol';

// Field checks shared by protocol-checks.ts and agent-checks.ts.

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export type Obj = Record<string, unknown>;

export function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what}: expected an object`);
  return v as Obj;
}
export function int(o: Obj, k: string, min: number, max: number): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ProtocolError(`${k}: expected an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}
export function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ProtocolError(`${k}: expected a non-negative number`);
  return v;
}
export function str(o: Obj, k: string, max = 1024): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length > max) throw new ProtocolError(`${k}: expected a string of at most ${max} characters`);
  return v;
}
export function bool(o: Obj, k: string): boolean {
  if (typeof o[k] !== 'boolean') throw new ProtocolError(`${k}: expected true or false`);
  return o[k] as boolean;
}
export function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ProtocolError(`${k}: expected one of ${allowed.join(', ')}`);
  return v as T;
}
export function strings(o: Obj, k: string): string[] {
  const v = o[k];
  if (!Array.isArray(v) || v.length > 1000 || !v.every((s) => typeof s === 'string' && s.length <= 64)) {
    throw new ProtocolError(`${k}: expected a list of CIDR strings`);
  }
  return v as string[];
}
export function hostPort(v: unknown, what: string): HostPort {
  const o = obj(v, what);
  const host = str(o, 'host', 255);
  if (host === '') throw new ProtocolError(`${what}.host: empty`);
  return { host, port: int(o, 'port', 0, 65535) };
}

export const DAY_MS = 7 * 24 * 3600_000;
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export function checkError(v: unknown): WireError {
  const o = obj(v, 'error');
  return { code: oneOf(o, 'code', RULE_ERROR_CODES), message: str(o, 'message', 4096) };
}
