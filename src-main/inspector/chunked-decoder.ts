// De-chunks a chunked body (RFC 9112 §7.1) as it passes: data ranges go to onData, chunk extensions and
// trailer fields are skipped without being stored (bounded like Node's own parser, CVE-2024-22019).

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const SEMICOLON = 0x3b;

/** feed() result: every byte taken (MORE), the index just past the body's end, or a framing error. */
export const CHUNK_MORE = -1;
export const CHUNK_BAD = -2;

type State = 'size' | 'ext' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer';

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

export class ChunkedDecoder {
  private state: State = 'size';
  private digits = 0;
  private remaining = 0;
  private skipped = 0;
  private lineLen = 0;
  private lastCR = false;

  constructor(
    private readonly onData: (chunk: Buffer, start: number, end: number) => void,
    private readonly maxSkip = 16 * 1024,
  ) {}

  feed(chunk: Buffer, from: number): number {
    let i = from;
    while (i < chunk.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, chunk.length - i);
        this.onData(chunk, i, i + n);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-cr';
        continue;
      }
      const b = chunk[i++]!;
      switch (this.state) {
        case 'size': {
          const v = hexValue(b);
          if (v >= 0) {
            // 13 hex digits stay below 2^53; more is garbage or an attack.
            if (++this.digits > 13) return CHUNK_BAD;
            this.remaining = this.remaining * 16 + v;
          } else if (this.digits === 0) return CHUNK_BAD;
          else if (b === SEMICOLON || b === SP || b === HTAB) this.enter('ext');
          else if (!this.sizeLineEnd(b)) return CHUNK_BAD;
          break;
        }
        case 'ext':
          if (!this.sizeLineEnd(b) && ++this.skipped > this.maxSkip) return CHUNK_BAD;
          break;
        case 'size-lf':
          if (b !== LF) return CHUNK_BAD;
          this.afterSize();
          break;
        case 'data-cr':
          if (b === CR) this.state = 'data-lf';
          else if (b === LF) this.enter('size');
          else return CHUNK_BAD;
          break;
        case 'data-lf':
          if (b !== LF) return CHUNK_BAD;
          this.enter('size');
          break;
        case 'trailer':
          if (++this.skipped > this.maxSkip) return CHUNK_BAD;
          if (b !== LF) {
            this.lineLen++;
            this.lastCR = b === CR;
          } else if (this.lineLen === 0 || (this.lineLen === 1 && this.lastCR)) {
            this.enter('size');
            return i;
          } else {
            this.lineLen = 0;
            this.lastCR = false;
          }
          break;
      }
    }
    return CHUNK_MORE;
  }

  private sizeLineEnd(b: number): boolean {
    if (b === CR) this.state = 'size-lf';
    else if (b === LF) this.afterSize();
    else return false;
    return true;
  }

  private afterSize(): void {
    if (this.remaining === 0) this.enter('trailer');
    else this.state = 'data';
  }

  private enter(state: 'size' | 'ext' | 'trailer'): void {
    this.state = state;
    this.skipped = 0;
    this.lineLen = 0;
    this.lastCR = false;
    if (state === 'size') {
      this.digits = 0;
      this.remaining = 0;
    }
  }
}
