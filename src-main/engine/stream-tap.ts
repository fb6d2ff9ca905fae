// A passive observer of one forwarded connection's bytes (the HTTP inspector, issue 17). The forwarding
// path calls it synchronously with the very buffers it forwards: a tap copies what it wants to keep
// before returning (the buffer may be reused for the next read), never throws and never writes.
// Without a tap the path makes no extra call at all.

export interface StreamTap {
  /** Bytes from the client, on their way to the target. */
  onClientChunk(chunk: Buffer): void;
  /** Bytes from the target, on their way to the client. */
  onTargetChunk(chunk: Buffer): void;
  /** Both sides have closed; called once. */
  onEnd(): void;
}

/** Called once per accepted connection; undefined: this connection is not observed. */
export type TapFactory = (conn: { id: number; client: string }) => StreamTap | undefined;
