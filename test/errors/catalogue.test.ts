import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgiProtocolError } from '../../src/asterisk/agi-protocol.js';
import { CidgateError, ERRORS, errorCode, errorMessage, type ErrorCode } from '../../src/errors.js';
import { EslProtocolError } from '../../src/freeswitch/esl-protocol.js';
import { HttpError } from '../../src/http/errors.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** The reference page of the codes (docs/errors.md): one table, a row per code. */
const section = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const codes = Object.keys(ERRORS) as ErrorCode[];

/** The docs/errors.md row a code should have: exit, HTTP, and where it arises (protocol or log) before what to do. */
function expectedRow(code: ErrorCode): string {
  const spec: { exit: number | null; http: number | null; protocol?: string; logged?: string; action: string } = ERRORS[code];
  const where = spec.protocol ?? spec.logged;
  return `| \`${code}\` | ${spec.exit ?? '—'} | ${spec.http ?? '—'} | ${where ? `${where}. ${spec.action}` : spec.action} |`;
}

describe('the error catalogue', () => {
  it.each(codes)('%s: docs/errors.md\'s row gives the catalogue\'s exit status, HTTP status and what to do', (code) => {
    expect(section.split('\n').find((l) => l.startsWith(`| \`${code}\` |`))).toBe(expectedRow(code));
  });

  it('lists no code the docs/errors.md table does not', () => {
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...codes].sort());
  });

  it('gives every code an exit status, an HTTP status, its place in a protocol or the log lines carrying it', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(spec.exit !== null || spec.http !== null || 'protocol' in spec || 'logged' in spec, code).toBe(true);
    }
  });

  it('puts the AGI and Event Socket protocol errors in the catalogue', () => {
    expect(errorCode(new AgiProtocolError('NUL byte in a line'))).toBe('AGI_PROTOCOL_ERROR');
    expect(errorCode(new EslProtocolError('bad Content-Length'))).toBe('ESL_PROTOCOL_ERROR');
    expect(errorCode(new Error('anything else'))).toBe('INTERNAL_ERROR' satisfies ErrorCode);
    expect(errorCode(new Error('SQLITE_BUSY: database is locked'), 'STORE_ERROR')).toBe('STORE_ERROR');
  });

  it('answers an HTTP error with the catalogue\'s status for its code', () => {
    expect(new HttpError('RATE_LIMITED', [50]).status).toBe(429);
    expect(new HttpError('RELOAD_FAILED', ['bad config']).status).toBe(422);
  });
});

describe('every message is its code\'s template, filled', () => {
  it('fills each %s with the values given, in order', () => {
    expect(new CidgateError('BAD_NUMBER', ['--to', '12'], { value: '12' }).message).toBe('--to: "12" is not a valid telephone number');
    expect(new CidgateError('LISTEN_FAILED', ['fastagi', '127.0.0.1:4573', 'EADDRINUSE']).message).toBe('fastagi: cannot listen on 127.0.0.1:4573: EADDRINUSE');
    expect(errorMessage('STORE_TIMEOUT', [250])).toBe('no answer from PostgreSQL within 250 ms');
    expect(new HttpError('RATE_LIMITED', [50]).message).toBe('more than 50 requests per second from this address');
    expect(new HttpError('FORBIDDEN', []).message).toBe(ERRORS.FORBIDDEN.template);
    expect(new AgiProtocolError('NUL byte in a line').message).toBe('FastAGI: NUL byte in a line');
    expect(new EslProtocolError('bad Content-Length').message).toBe('Event Socket: bad Content-Length');
  });

  it('adds context to a copy, message and code unchanged (one batch failure told to each call with its own attempt id)', () => {
    const shared = new CidgateError('STORE_TIMEOUT', [250], { database: 'db' });
    const mine = shared.withContext({ attemptId: 7 });
    expect(mine).toBeInstanceOf(CidgateError);
    expect(mine).toMatchObject({ code: 'STORE_TIMEOUT', message: shared.message, context: { database: 'db', attemptId: 7 } });
    expect(mine.stack).toBe(shared.stack);
    expect(shared.context).toEqual({ database: 'db' });
  });

  it('takes a value as it is, never as a template', () => {
    expect(errorMessage('BAD_INPUT', ['%s.csv', 'empty file'])).toBe('%s.csv: empty file');
  });

  it('the compiler counts the values against the template', () => {
    // Never run: `tsc -p tsconfig.test.json` (npm test) fails if one of these compiles.
    const wrong = () => [
      // @ts-expect-error BAD_NUMBER's template takes two values
      new CidgateError('BAD_NUMBER', ['--to']),
      // @ts-expect-error ...not three
      new CidgateError('BAD_NUMBER', ['--to', '12', 'more']),
      // @ts-expect-error a message of the raiser's own is not accepted
      new CidgateError('BAD_OPTION', '--to: wrong'),
      // @ts-expect-error FORBIDDEN's template takes none
      new HttpError('FORBIDDEN', ['why']),
    ];
    expect(wrong).toBeTypeOf('function');
  });
});

/** The sources, read as text. */
function sources(dir = join(PACKAGE_ROOT, 'src')): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [{ file: path.slice(PACKAGE_ROOT.length + 1), text: readFileSync(path, 'utf8') }] : [];
  });
}

/**
 * From the bracket at `open` to its match: where it ends and how many items it holds at its top level
 * (strings, template literals and nested brackets skipped whole).
 */
function bracketed(text: string, open: number): { end: number; items: number; body: string } {
  const closers: string[] = [];
  let items = 0;
  let inItem = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (closers.at(-1) === '`') {
      if (c === '\\') i++;
      else if (c === '`') closers.pop();
      else if (c === '$' && text[i + 1] === '{') { closers.push('}'); i++; }
      continue;
    }
    const top = closers.length === 1;
    if (c === '\'' || c === '"') {
      for (i++; text[i] !== c; i++) if (text[i] === '\\') i++;
      inItem ||= top;
    } else if (c === '`') {
      closers.push('`');
      inItem ||= top;
    } else if (c === '[' || c === '(' || c === '{') {
      inItem ||= top;
      closers.push(c === '[' ? ']' : c === '(' ? ')' : '}');
    } else if (c === ']' || c === ')' || c === '}') {
      closers.pop();
      if (closers.length === 0) return { end: i, items: items + (inItem ? 1 : 0), body: text.slice(open + 1, i) };
    } else if (top && c === ',') {
      items++;
      inItem = false;
    } else if (top && !/\s/.test(c)) {
      inItem = true;
    }
  }
  throw new Error(`no match for the bracket at ${open}`);
}

/** An object literal's text with what its fields hold in brackets left out: its own keys only. */
function topLevel(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\'' || c === '"') {
      const start = i;
      for (i++; body[i] !== c; i++) if (body[i] === '\\') i++;
      out += body.slice(start, i + 1);
    } else if ('{[('.includes(c)) {
      i = bracketed(body, i).end;
      out += '…';
    } else {
      out += c;
    }
  }
  return out;
}

const templateValues = (code: ErrorCode) => ERRORS[code].template.split('%s').length - 1;

describe('the raises in src/ (a scan, beside the compiler\'s count)', () => {
  const files = sources();

  it('name a catalogue code and give its template\'s number of values', () => {
    const raises: string[] = [];
    const wrong: string[] = [];
    for (const { file, text } of files) {
      for (const m of text.matchAll(/(?:new (?:CidgateError|HttpError)|super)\(\s*'([A-Z_]+)',\s*/g)) {
        const code = m[1] as ErrorCode;
        const at = m.index + m[0].length;
        raises.push(`${file}: ${code}`);
        if (!(code in ERRORS)) wrong.push(`${file}: ${code} is not in the catalogue`);
        else if (text[at] === '[' && bracketed(text, at).items !== templateValues(code)) {
          wrong.push(`${file}: ${code} given ${bracketed(text, at).items} values for ${templateValues(code)}`);
        }
      }
    }
    expect(raises.length).toBeGreaterThan(60);
    expect(wrong).toEqual([]);
  });

  it('every error or warning log line with an error in it carries a catalogue code', () => {
    const missing: string[] = [];
    for (const { file, text } of files) {
      for (const m of text.matchAll(/\b(?:log|logger)\.(?:error|warn)\(\{/g)) {
        const fields = topLevel(bracketed(text, m.index + m[0].length - 1).body);
        const literal = /\bcode: '([A-Z_]+)'/.exec(fields)?.[1];
        if (literal && !(literal in ERRORS)) missing.push(`${file}: ${literal} is not in the catalogue`);
        // `err: {…}` or `error`; the HTTP error handler spreads a line that has its code.
        const carriesError = /(?:^|,)\s*err(?:or)?\s*(?::|,|$)/.test(fields);
        if (carriesError && !/(?:^|,)\s*code\s*[:,]/.test(fields) && !fields.includes('...line')) missing.push(`${file}: ${fields.slice(0, 100)}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
