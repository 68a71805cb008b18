/**
 * FreeSWITCH Event Socket framing, pure (see the shared FreeSWITCH 1.10 fixtures): a message is a
 * header block ended by an empty line, then `Content-Length` bytes of body when that header is
 * present. Replies and events often share one TCP read and one event may span several. Values
 * in channel data and plain events are URL-encoded (`Reply-Text: %2BOK%0A`).
 */

import { CidgateError } from '../errors.js';

export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

/** A broken Event Socket exchange: a CidgateError with code ESL_PROTOCOL_ERROR (see the catalogue in src/errors.ts). */
export class EslProtocolError extends CidgateError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('ESL_PROTOCOL_ERROR', [message], detail);
  }
}

export type Headers = ReadonlyMap<string, string>;

export interface EslMessage {
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Turns a byte stream into messages, whatever the chunk boundaries. */
export class EslParser {
  private buffer: Buffer = Buffer.alloc(0);
  private headers: Headers | null = null;
  private bodyLength = 0;

  /** Bytes of a message not yet complete. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): EslMessage[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: EslMessage[] = [];
    for (;;) {
      if (this.headers === null) {
        const end = this.buffer.indexOf('\n\n');
        if (end === -1) {
          if (this.buffer.length > MAX_HEADER_BYTES) throw new EslProtocolError(`header block over ${MAX_HEADER_BYTES} bytes`);
          return out;
        }
        if (end > MAX_HEADER_BYTES) throw new EslProtocolError(`header block over ${MAX_HEADER_BYTES} bytes`);
        this.headers = parseHeaderBlock(this.buffer.toString('utf8', 0, end));
        this.buffer = this.buffer.subarray(end + 2);
        const length = this.headers.get('Content-Length');
        if (length !== undefined && !/^\d{1,9}$/.test(length)) throw new EslProtocolError('bad Content-Length', { length });
        this.bodyLength = length === undefined ? 0 : Number(length);
        if (this.bodyLength > MAX_BODY_BYTES) throw new EslProtocolError(`body over ${MAX_BODY_BYTES} bytes`);
      }
      if (this.buffer.length < this.bodyLength) return out;
      out.push({ headers: this.headers, body: Buffer.from(this.buffer.subarray(0, this.bodyLength)) });
      this.buffer = this.buffer.subarray(this.bodyLength);
      this.headers = null;
      this.bodyLength = 0;
    }
  }
}

/** `Name: value` lines; each value URL-decoded when it is URL-encoded, kept as is otherwise. */
export function parseHeaderBlock(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const sep = line.indexOf(': ');
    if (sep <= 0) {
      if (line.endsWith(':')) { headers.set(line.slice(0, -1), ''); continue; }
      throw new EslProtocolError('malformed header line', { line: line.slice(0, 80) });
    }
    headers.set(line.slice(0, sep), decodeValue(line.slice(sep + 2)));
  }
  return headers;
}

function decodeValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a literal % that is not an escape
  }
}

/** A `text/event-plain` body: URL-encoded headers, then an optional body of its own. */
export function parsePlainEvent(body: Buffer): Map<string, string> {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  return parseHeaderBlock(end === -1 ? text : text.slice(0, end));
}

/**
 * Only characters that mean nothing to FreeSWITCH may go into an application argument or a
 * header we send: no newline (a new header or command), no `$`/`{}` (variable expansion), no `%`, no space.
 * cidgate's values (numbers, reason codes, ISO instants, ids) never need more.
 */
export function safeArg(value: string): string {
  return value.replace(/[^A-Za-z0-9+,:._@=/-]/g, '_');
}

/** A header value: safeArg on each space-separated word (multiset's arguments are separated by spaces). */
function safeHeader(value: string): string {
  return value.split(' ').map(safeArg).join(' ');
}

export function command(line: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${safeHeader(v)}\n`).join('');
  return `${line}\n${extra}\n`;
}

/** `sendmsg` executing one application; its CHANNEL_EXECUTE_COMPLETE carries `eventUuid` as Application-UUID. */
export function executeApp(app: string, arg: string, eventUuid: string): string {
  return command('sendmsg', { 'call-command': 'execute', 'execute-app-name': app, 'execute-app-arg': arg, 'Event-UUID': eventUuid });
}
