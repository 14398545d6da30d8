/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting (`LEN SP MSG`) or newline
 * framing, decided per frame; memory per connection stays under the message cap.
 */

const SPACE = 0x20;
const LF = 0x0a;
const MAX_LENGTH_DIGITS = 10;

/** What one chunk of a stream completed. */
export interface FramedChunk {
  messages: string[];
  /** Frames dropped: over the cap, or a malformed length. */
  errors: number;
}

/**
 * A per-connection framer.
 *
 * ```ts
 * const framer = new SyslogFramer(64 * 1024);
 * socket.on('data', (chunk) => handle(framer.push(chunk)));
 * ```
 */
export class SyslogFramer {
  readonly #max: number;
  #buffer: Buffer = Buffer.alloc(0);
  /** Skipping an oversized newline-framed message up to its line feed. */
  #skipLine = false;
  /** Bytes of an oversized octet-counted frame still to skip: its payload is never read. */
  #skipBytes = 0;

  constructor(maxMessageBytes: number) {
    this.#max = maxMessageBytes;
  }

  /** Holds part of a frame (or is skipping one): the sender owes bytes to finish it. */
  get pending(): boolean {
    return this.#buffer.length > 0 || this.#skipLine || this.#skipBytes > 0;
  }

  /** Adds bytes; returns the messages they complete. */
  push(chunk: Buffer): FramedChunk {
    const out: FramedChunk = { messages: [], errors: 0 };
    let buf = this.#buffer.length > 0 ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (;;) {
      if (this.#skipBytes > 0) {
        const n = Math.min(this.#skipBytes, buf.length);
        this.#skipBytes -= n;
        buf = buf.subarray(n);
        if (this.#skipBytes > 0) break;
      }
      if (this.#skipLine) {
        const lf = buf.indexOf(LF);
        if (lf === -1) {
          buf = buf.subarray(buf.length);
        } else {
          buf = buf.subarray(lf + 1);
          this.#skipLine = false;
        }
      }
      if (buf.length === 0 || this.#skipLine) break;
      const next = this.#frame(buf, out);
      if (next === undefined) break;
      buf = next;
    }
    // Copy the remainder: a view would keep the whole chunk alive.
    this.#buffer = Buffer.from(buf);
    return out;
  }

  /** The connection ended: a last newline-framed message without its line feed still counts. */
  end(): FramedChunk {
    const out: FramedChunk = { messages: [], errors: 0 };
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    if (rest.length > 0 && !this.#skipLine && this.#skipBytes === 0) {
      const text = clean(rest);
      if (text) out.messages.push(text);
    }
    return out;
  }

  /** Takes one frame off `buf`; returns the rest, or undefined when more bytes are needed. */
  #frame(buf: Buffer, out: FramedChunk): Buffer | undefined {
    const length = octetLength(buf);
    if (length === 'wait') return undefined;
    if (length !== undefined) {
      const start = length.digits + 1;
      if (length.value > this.#max) {
        // Over the cap: skip exactly the counted bytes, one rejected message. Resynchronising
        // at a line feed instead would read lines inside the dropped payload as messages.
        out.errors += 1;
        this.#skipBytes = length.value;
        return buf.subarray(start);
      }
      if (buf.length < start + length.value) return undefined;
      const text = clean(buf.subarray(start, start + length.value));
      if (text) out.messages.push(text);
      return buf.subarray(start + length.value);
    }
    const lf = buf.indexOf(LF);
    if (lf === -1) {
      if (buf.length > this.#max) {
        out.errors += 1;
        this.#skipLine = true;
        return buf.subarray(buf.length);
      }
      return undefined;
    }
    if (lf > this.#max) out.errors += 1;
    else {
      const text = clean(buf.subarray(0, lf));
      if (text) out.messages.push(text);
    }
    return buf.subarray(lf + 1);
  }
}

/**
 * The octet count a frame starts with: `{ value, digits }`, `'wait'` when only digits have come
 * so far, undefined when the frame is newline-framed (it does not start with `DIGITS SP`).
 */
function octetLength(buf: Buffer): { value: number; digits: number } | 'wait' | undefined {
  let value = 0;
  let i = 0;
  for (; i < buf.length && i <= MAX_LENGTH_DIGITS; i++) {
    const c = buf[i];
    if (c === SPACE) break;
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
  }
  if (i === 0 || buf[0] === 0x30) return undefined;
  if (i >= buf.length) return i > MAX_LENGTH_DIGITS ? undefined : 'wait';
  if (buf[i] !== SPACE) return undefined;
  return { value, digits: i };
}

/** A frame's text: UTF-8, trailing CR/LF/NUL removed, inner line breaks made spaces. */
export function clean(bytes: Buffer): string {
  return oneLine(bytes.toString('utf8'));
}

/**
 * A message as one line: trailing CR/LF/NUL removed (a parser reading sshd's message to its end
 * must not see a space there), inner line breaks made spaces.
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+$/, '').replace(/[\r\n\0]+/g, ' ');
}
