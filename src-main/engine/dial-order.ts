import { ADDRCONFIG } from 'node:dns';
import net, { isIP } from 'node:net';

// How the raw TCP path (raw-connection.ts) dials a target given by name, as net.connect does.

/** How long one address of several gets before the next is tried: net.connect's own setting (250 ms by default). */
export function attemptMs(): number {
  return net.getDefaultAutoSelectFamilyAttemptTimeout();
}

/** What net.connect asks the resolver for: every address, of the families this machine has configured. */
export const LOOKUP_OPTIONS = { all: true as const, ...(process.platform === 'win32' ? {} : { hints: ADDRCONFIG }) };

/**
 * The order net.connect dials a name's addresses in (autoSelectFamily): IP addresses only, each once,
 * IPv6 and IPv4 alternating from the family of the first — so a network where one family is black-holed
 * costs one attempt, not one per address of that family. With autoSelectFamily off, only the first.
 */
export function dialOrder(found: readonly { address: string; family: number }[]): { address: string; family: number }[] {
  const seen = new Set<string>();
  const byFamily: Record<4 | 6, { address: string; family: number }[]> = { 4: [], 6: [] };
  let first: 4 | 6 | undefined;
  for (const a of found) {
    const family = isIP(a.address);
    if (family === 0 || seen.has(a.address)) continue;
    seen.add(a.address);
    byFamily[family as 4 | 6].push({ address: a.address, family });
    first ??= family as 4 | 6;
  }
  if (first === undefined) return [];
  if (!net.getDefaultAutoSelectFamily()) return [byFamily[first][0]!];
  const [a, b] = first === 6 ? [byFamily[6], byFamily[4]] : [byFamily[4], byFamily[6]];
  const out: { address: string; family: number }[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (k < a.length) out.push(a[k]!);
    if (k < b.length) out.push(b[k]!);
  }
  return out;
}
