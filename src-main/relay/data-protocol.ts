export { checkAdmit, checkOpen, DATA_MAGIC, type DataAdmit, type DataOpen, ticketMac } from './data-wire';
export { checkDataDial, checkDataReply, type DataDial, type DataReply } from './protocol-checks';

// Data connections (issue 13): the agent carries a public TCP connection on a TLS connection of its own
// (plain TCP with `tls: false`) to the relay's agent port, instead of an HTTP/2 stream, so the bytes
// meet no framing and no multiplexer. The HTTP/2 session keeps the control stream, UDP, heartbeats and
// any connection that finds no data connection ready.
//
// Negotiation, invisible to peers that predate it: the relay's `/control` request carries the header
// `porthole-data: 1`; an agent that will dial data connections answers with the same header. Only then
// does the relay send `data-dial` tickets on the control stream.
//
//   agent → relay   DATA_MAGIC, VERSION, frame {session, id, exp, mac}
//   relay → agent   frame {ready: true}: in the pool, idle             (or frame {error}, then closed)
//   relay → agent   frame {open: exposure id, peer}, then the public client's bytes, raw
//   agent → relay   frame {ok: true}, then the target's bytes, raw            (or frame {error}, then closed)
//
// The ticket: the relay issues one-time ids with an expiry; the agent proves each with
//   mac = HMAC-SHA256(session data key, "porthole-data-v1" session id exp, TLS binding of this connection)
// where the session data key comes from the agent's handshake (protocol.ts sessionDataKey) and the
// binding is the keying material exported from this data connection's TLS session (empty on plain TCP):
// a ticket works once, for that session, before its expiry, and only on the connection it was made for.

/** Header on the `/control` stream: offered by the relay (request), accepted by the agent (response). */
export const H_DATA = 'porthole-data';
export const DATA_CAPABILITY = '1';

// The frames' checks: checkDataDial / checkDataReply (protocol-checks.ts) on the relay, checkAdmit /
// checkOpen (data-wire.ts) on the agent — hand-written, so neither worker thread loads zod.
