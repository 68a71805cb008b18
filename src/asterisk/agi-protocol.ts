/**
 * The FastAGI wire format, as Asterisk 22 speaks it (see shared fixtures): pure functions and a
 * byte-level line splitter, no sockets. The environment block is `agi_name: value` lines ended by
 * an empty line; values may contain `:` and spaces. Each command is answered by `200 result=N`,
 * `200 result=N (data)`, `510 …`, `511 …`, or a multi-line `520-…` ended by `520 End of proper usage.`
 * Asterisk may send an unsolicited `HANGUP` line at any time.
 */

import { CidgateError } from '../errors.js';

export const MAX_LINE_BYTES = 8 * 1024;
export const MAX_ENV_LINES = 256;
/** Real environment blocks are under 2 KB: 64 KB bounds what one unfinished session can hold (256 × 8 KB otherwise). */
export const MAX_ENV_BYTES = 64 * 1024;

/** A broken FastAGI exchange: a CidgateError with code AGI_PROTOCOL_ERROR (see the catalogue in src/errors.ts). */
export class AgiProtocolError extends CidgateError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('AGI_PROTOCOL_ERROR', [message], detail);
  }
}

const EMPTY = Buffer.alloc(0);

/** Splits a byte stream into `\n`-terminated lines (a trailing `\r` dropped), whatever the chunking. */
export class LineSplitter {
  private pending: Buffer = EMPTY;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Bytes of a line not yet ended. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** The complete lines in this chunk; throws AgiProtocolError on an over-long line or a NUL byte. */
  push(chunk: Buffer): string[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: string[] = [];
    const lastNl = data.lastIndexOf(10);
    // One scan of the chunk's complete lines for a NUL, not one per line.
    if (lastNl !== -1 && data.subarray(0, lastNl).includes(0)) throw new AgiProtocolError('NUL byte in a line');
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      lines.push(decodeLine(data.subarray(start, nl)));
      start = nl + 1;
    }
    // Lines usually end with their chunk: nothing to keep, no copy.
    this.pending = start === data.length ? EMPTY : Buffer.from(data.subarray(start));
    if (this.pending.length > this.maxLine) throw new AgiProtocolError(`line longer than ${this.maxLine} bytes`);
    return lines;
  }
}

function decodeLine(bytes: Buffer): string {
  if (bytes.length > MAX_LINE_BYTES) throw new AgiProtocolError(`line longer than ${MAX_LINE_BYTES} bytes`);
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  // Asterisk sends bytes; caller names are usually UTF-8. Invalid sequences become U+FFFD, never an error.
  return bytes.toString('utf8', 0, end);
}

const ENV_KEY = /^agi_[a-z0-9_]+$/;

/** One `agi_name: value` line → [name, value]; the value keeps every `:` after the first separator. */
export function parseEnvLine(line: string): [string, string] {
  const sep = line.indexOf(':');
  if (sep <= 0) throw new AgiProtocolError('malformed environment line', { line: line.slice(0, 80) });
  const key = line.slice(0, sep);
  if (!ENV_KEY.test(key)) throw new AgiProtocolError('malformed environment key', { key: key.slice(0, 80) });
  // One space after the colon is the separator's; any further ones are the value's.
  return [key, line.slice(line.charCodeAt(sep + 1) === 32 ? sep + 2 : sep + 1)];
}

/** Accumulates the environment block line by line. */
export class EnvReader {
  readonly env = new Map<string, string>();
  private done = false;
  private bytes = 0;

  get complete(): boolean {
    return this.done;
  }

  /** Bytes of environment lines read so far. */
  get size(): number {
    return this.bytes;
  }

  /** Feeds one line; returns true when the empty line closing the block has been seen. */
  push(line: string): boolean {
    if (this.done) throw new AgiProtocolError('environment already complete');
    if (line === '') {
      if (this.env.size === 0) throw new AgiProtocolError('empty environment block');
      return (this.done = true);
    }
    if (this.env.size >= MAX_ENV_LINES) throw new AgiProtocolError(`more than ${MAX_ENV_LINES} environment lines`);
    this.bytes += line.length + 1;
    if (this.bytes > MAX_ENV_BYTES) throw new AgiProtocolError(`environment block over ${MAX_ENV_BYTES} bytes`);
    const [key, value] = parseEnvLine(line);
    this.env.set(key, value);
    return false;
  }
}

export interface AgiResponse {
  readonly code: number;
  /** The `result=` value, when present. */
  readonly result: string | null;
  /** The text in parentheses after the result, when present (GET VARIABLE's value). */
  readonly data: string | null;
  readonly text: string;
}

/**
 * Reads command answers line by line. `push` returns a response when one is complete, 'hangup'
 * for an unsolicited HANGUP line, or null while a multi-line 520 usage is still coming.
 */
export class ResponseReader {
  private usage: string[] | null = null;
  private usageBytes = 0;

  /** Bytes of a multi-line 520 answer not yet ended. */
  get pendingBytes(): number {
    return this.usageBytes;
  }

  push(line: string): AgiResponse | 'hangup' | null {
    if (this.usage) {
      this.usage.push(line);
      this.usageBytes += line.length;
      if (line.startsWith('520 ')) {
        const text = this.usage.join('\n');
        this.usage = null;
        this.usageBytes = 0;
        return { code: 520, result: null, data: null, text };
      }
      if (this.usage.length > 200) throw new AgiProtocolError('520 usage text never ends');
      return null;
    }
    if (line === 'HANGUP') return 'hangup';
    if (line.startsWith('520-')) {
      this.usage = [line];
      return null;
    }
    const m = /^(\d{3})(?: (.*))?$/.exec(line);
    if (!m) throw new AgiProtocolError('malformed command answer', { line: line.slice(0, 80) });
    const rest = m[2] ?? '';
    const r = /^result=(-?\w*)(?: \((.*)\))?/.exec(rest);
    return { code: Number(m[1]), result: r ? r[1] ?? '' : null, data: r ? r[2] ?? null : null, text: rest };
  }
}

/**
 * Quotes a value for an AGI command argument. Asterisk splits arguments on spaces outside double
 * quotes and unescapes `\"` and `\\` inside them; a CR, LF or NUL would end the command line and let
 * the rest run as another command, so control characters are replaced by spaces.
 */
export function quoteAgi(value: string): string {
  // Most values hold none of these: one scan instead of three replacements.
  if (!/[\x00-\x1f\x7f\\"]/.test(value)) return `"${value}"`;
  const clean = value.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `"${clean}"`;
}

/**
 * Escapes a value for a dialplan application's argument parser (ARRAY(), MSet), which runs after
 * the AGI line parser: `,` separates values, `"` is stripped, an unbalanced `(` or `[` swallows the
 * separators after it, and a backslash makes the next character literal. A mistake is silent
 * (Asterisk truncates the value and still answers 200; see the asterisk-22 fixtures).
 */
export function escapeAppArg(value: string): string {
  return value.replace(/[\\,"()[\]]/g, '\\$&');
}

function checkName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_()]*$/.test(name)) throw new AgiProtocolError('bad variable name', { name });
  return name;
}

/**
 * Every variable in ONE command, `SET VARIABLE ARRAY(n1,n2,…) "v1,v2,…"` (ARRAY() is in func_strings):
 * one round trip instead of one per variable. Names are ours, never taken from input. Values go
 * through both of Asterisk's parsers: escaped for ARRAY's, then quoted for the AGI line's.
 */
export function setVariables(vars: readonly (readonly [string, string])[]): string {
  const names = vars.map(([name]) => checkName(name)).join(',');
  return `SET VARIABLE ARRAY(${names}) ${quoteAgi(vars.map(([, value]) => escapeAppArg(value)).join(','))}\n`;
}

/** The same through the built-in MSet application (`name=value,…`), for an Asterisk without func_strings. */
export function msetVariables(vars: readonly (readonly [string, string])[]): string {
  return `EXEC MSet ${quoteAgi(vars.map(([name, value]) => `${checkName(name)}=${escapeAppArg(value)}`).join(','))}\n`;
}
