import { CidgateError } from '../errors.js';

/** A frame Kamailio's evapi could not have sent (bad length, missing comma, too long). */
export class EvapiProtocolError extends CidgateError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('EVAPI_PROTOCOL_ERROR', [message], detail);
  }
}

/** Digits of the longest length prefix accepted: enough for `maxBytes`, never an endless prefix. */
const MAX_PREFIX_DIGITS = 10;

/**
 * evapi's netstring framing (`netstring_format=1`, Kamailio's default): `LEN:DATA,`. Incremental:
 * bytes arrive in any chunks; `push` returns every frame completed so far. A frame longer than
 * `maxBytes` or a malformed prefix throws: the stream cannot be resynchronised, the caller closes it.
 */
export class NetstringParser {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      const prefixEnd = colon < 0 ? Math.min(this.buffer.length, MAX_PREFIX_DIGITS + 1) : colon;
      for (let i = 0; i < prefixEnd; i++) {
        const c = this.buffer[i]!;
        if (c < 0x30 || c > 0x39) throw new EvapiProtocolError('netstring length is not a number', { byte: c });
      }
      if (colon < 0) {
        if (this.buffer.length > MAX_PREFIX_DIGITS) throw new EvapiProtocolError('netstring length prefix too long');
        return frames;
      }
      if (colon === 0) throw new EvapiProtocolError('netstring without a length');
      const length = Number(this.buffer.subarray(0, colon).toString('latin1'));
      if (length > this.maxBytes) throw new EvapiProtocolError(`message of ${length} bytes, more than ${this.maxBytes}`, { length });
      const end = colon + 1 + length;
      if (this.buffer.length <= end) return frames;
      if (this.buffer[end] !== 0x2c) throw new EvapiProtocolError('netstring not ended by a comma', { length });
      frames.push(Buffer.from(this.buffer.subarray(colon + 1, end)));
      this.buffer = this.buffer.subarray(end + 1);
      if (this.buffer.length === 0) return frames;
    }
  }
}

/** One message in evapi's framing. */
export function netstring(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(`${data.length}:`), data, Buffer.from(',')]);
}
