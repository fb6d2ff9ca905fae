import { setFlagsFromString } from 'node:v8';

/**
 * For a process whose job is moving bytes (`porthole relay`, `porthole agent`): no incremental marking.
 *
 * Every socket read hands V8 a fresh buffer. Once a process's heap is past V8's 8 MB activation
 * threshold (zod, selfsigned and the relay code alone are ~8 MB; the CLI loads far more), V8 starts
 * incremental marking whenever the old generation's headroom is below the new space's size, which a
 * fast stream of buffers keeps it at: a full mark-compact every ~100 ms that reclaims almost nothing.
 * Measured in issue 13 with `npm run bench -- relay`'s processes: 3.8 → 2.4 CPU-s/GB through a relay,
 * the same as a two-process TLS + pipe() tunnel that loads nothing. Without it V8 collects the old
 * generation only when it reaches its limit, atomically (pauses of a few ms on heaps this small).
 *
 * Process-wide and applied at a composition root (CLI command, bench tool), never on import.
 */
export function tuneGcForDataPlane(): void {
  setFlagsFromString('--no-incremental-marking');
}
