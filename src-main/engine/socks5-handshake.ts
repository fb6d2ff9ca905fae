import { formatHostPort } from '../../src-shared/format/address';
import { EngineError } from './engine-error';
import {
  CMD_CONNECT,
  METHOD_NONE_ACCEPTABLE,
  METHOD_NO_AUTH,
  METHOD_USERPASS,
  Reply,
  commandName,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassReply,
  parseGreeting,
  parseRequest,
  parseUserPass,
} from './socks5-protocol';
import type { SocksDestination } from './socks5-protocol';

/** Bytes a client may send after its CONNECT before the reply, held until the dial completes. */
export const MAX_EARLY_DATA = 64 * 1024;

/** The server's side of authentication (Socks5Server). */
export interface SocksAuthority {
  readonly requiresAuth: boolean;
  checkCredentials(username: Uint8Array, password: Uint8Array): boolean;
}

/** What a session does for its handshake: write the replies, and end it or start the dial. */
export interface SocksHandshakeHost {
  write(bytes: Buffer): void;
  /** The handshake failed (its reply, if any, was written): close the client after it, and report `error`. */
  reject(error: EngineError, destination?: string): void;
  /** A wrong or missing username/password (its reply was written). */
  refuseAuth(message: string): void;
  /** A CONNECT to `dest` (`where` is host:port as asked): dial it. */
  connect(dest: SocksDestination, where: string): void;
}

type Phase = 'greeting' | 'auth' | 'request' | 'connecting' | 'done';

/**
 * The server's side of a SOCKS5 handshake (RFC 1928 CONNECT, RFC 1929 username/password), fed the
 * client's bytes as they arrive in chunks of any size; shared by the session on net.Socket
 * (socks5-session.ts) and the one on raw TCP handles (socks5-raw-session.ts). What arrives after the
 * CONNECT (early data) is kept for the destination (takeEarly()).
 */
export class SocksHandshake {
  private phase: Phase = 'greeting';
  /** Bytes of a message not complete yet. */
  private pending: Buffer = Buffer.alloc(0);
  /** What came after the CONNECT, in the chunks it came in (joined once, by takeEarly()). */
  private early: Buffer[] = [];
  private earlyBytes = 0;

  constructor(
    private readonly host: SocksHandshakeHost,
    private readonly auth: SocksAuthority,
    /** The client's host:port, for messages. */
    private readonly clientName: string,
  ) {}

  /** The CONNECT has been asked for (the dial runs or ran). */
  get connecting(): boolean {
    return this.phase === 'connecting';
  }

  /** The handshake was ended (refused, timed out, failed): whatever arrives is dropped. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** Ends the handshake: from now on bytes are dropped. */
  finish(): void {
    this.phase = 'done';
  }

  /** Takes the early data (for the destination), leaving none. */
  takeEarly(): Buffer {
    const early = this.early.length === 1 ? this.early[0]! : Buffer.concat(this.early, this.earlyBytes);
    this.early = [];
    this.earlyBytes = 0;
    return early;
  }

  /** The client's next bytes; false once the early data reached MAX_EARLY_DATA (stop reading for now). */
  push(chunk: Buffer): boolean {
    if (this.phase === 'done') return true;
    if (this.phase === 'connecting') return this.keepEarly(chunk);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // A chunk may hold several messages (pipelining), so keep going while each one completes.
    while (this.pending.length > 0 && this.step()) {
      // step() consumed one message.
    }
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    // What followed the CONNECT in the same chunk is early data; after a refusal it is dropped.
    if (this.connecting && rest.length > 0) return this.keepEarly(rest);
    if (!this.done) this.pending = rest;
    return true;
  }

  private keepEarly(chunk: Buffer): boolean {
    this.early.push(chunk);
    this.earlyBytes += chunk.length;
    return this.earlyBytes < MAX_EARLY_DATA;
  }

  /** Handles the message at the front of `pending`; true if it consumed one and there may be more. */
  private step(): boolean {
    const h = this.host;
    const client = this.clientName;
    switch (this.phase) {
      case 'greeting': {
        const r = parseGreeting(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') return this.reject(new EngineError('INTERNAL', `${r.message} (from ${client})`));
        this.consume(r.length);
        const wanted = this.auth.requiresAuth ? METHOD_USERPASS : METHOD_NO_AUTH;
        if (!r.methods.includes(wanted)) {
          h.write(encodeMethodSelection(METHOD_NONE_ACCEPTABLE));
          this.phase = 'done';
          if (this.auth.requiresAuth) {
            h.refuseAuth(`SOCKS client ${client} did not offer username/password authentication, which this proxy requires — set a username and password in the client`);
          } else {
            h.reject(new EngineError('INTERNAL', `SOCKS client ${client} insists on authentication, but this proxy has none configured — connect without credentials`));
          }
          return false;
        }
        h.write(encodeMethodSelection(wanted));
        this.phase = wanted === METHOD_USERPASS ? 'auth' : 'request';
        return true;
      }
      case 'auth': {
        const r = parseUserPass(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          h.write(encodeUserPassReply(false));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${client})`));
        }
        this.consume(r.length);
        if (!this.auth.checkCredentials(r.username, r.password)) {
          h.write(encodeUserPassReply(false));
          this.phase = 'done';
          h.refuseAuth(`SOCKS client ${client} gave a wrong username or password`);
          return false;
        }
        h.write(encodeUserPassReply(true));
        this.phase = 'request';
        return true;
      }
      case 'request': {
        const r = parseRequest(this.pending);
        if (r.kind === 'incomplete') return false;
        if (r.kind === 'error') {
          if (r.reply !== undefined) h.write(encodeReply(r.reply));
          return this.reject(new EngineError('INTERNAL', `${r.message} (from ${client})`));
        }
        this.consume(r.length);
        const where = formatHostPort(r.destination.host, r.destination.port);
        if (r.command !== CMD_CONNECT) {
          h.write(encodeReply(Reply.COMMAND_NOT_SUPPORTED));
          return this.reject(new EngineError('INTERNAL', `SOCKS client ${client} asked for ${commandName(r.command)} to ${where}; only CONNECT is supported`), where);
        }
        this.phase = 'connecting';
        h.connect(r.destination, where);
        return false;
      }
      default:
        // Connecting: early data stays in `pending` for the destination.
        return false;
    }
  }

  private reject(error: EngineError, destination?: string): false {
    this.phase = 'done';
    this.host.reject(error, destination);
    return false;
  }

  private consume(n: number): void {
    this.pending = this.pending.subarray(n);
  }
}
