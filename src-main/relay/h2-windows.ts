// The relay's HTTP/2 flow-control windows, the same on both sides (measured in `npm run bench`, whose
// bundle step can replace them from PORTHOLE_BENCH_* variables: bench/lib/relay-bundle.mjs): per stream
// big enough for a fast LAN/WAN bandwidth-delay product, per session a cap on what all streams together
// may have in flight. A file of their own so the relay server's worker does not load the agent for them.
export const STREAM_WINDOW = 4 * 1024 * 1024;
export const SESSION_WINDOW = 32 * 1024 * 1024;
export const MAX_FRAME = 64 * 1024;
