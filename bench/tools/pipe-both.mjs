// Two sockets joined both ways with pipe(), for the bench's reference tunnels (tls-pipe-tunnel.mjs and
// the TLS_FIRST connections of h2-tunnel.mjs): Nagle off on both, half-close passed on where the sockets
// allow it, either side failing or closing ends both. Loads nothing.

/** Joins `a` and `b` both ways. */
export function pipeBoth(a, b) {
  a.setNoDelay(true);
  b.setNoDelay(true);
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}
