import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgiProtocolError } from '../../src/asterisk/agi-protocol.js';
import { ERRORS, errorCode, type ErrorCode } from '../../src/errors.js';
import { EslProtocolError } from '../../src/freeswitch/esl-protocol.js';
import { HttpError } from '../../src/http/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 3));

describe('the error catalogue', () => {
  it.each(Object.keys(ERRORS))('%s has a row in the README\'s error table', (code) => {
    expect(section).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('lists no code the README table does not', () => {
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('gives every code an exit status or an HTTP status, and every protocol error its place', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(spec.exit !== null || spec.http !== null || 'protocol' in spec, code).toBe(true);
    }
  });

  it('puts the AGI and Event Socket protocol errors in the catalogue', () => {
    expect(errorCode(new AgiProtocolError('NUL byte in a line'))).toBe('AGI_PROTOCOL_ERROR');
    expect(errorCode(new EslProtocolError('bad Content-Length'))).toBe('ESL_PROTOCOL_ERROR');
    expect(errorCode(new Error('anything else'))).toBe('INTERNAL_ERROR' satisfies ErrorCode);
  });

  it('answers an HTTP error with the catalogue\'s status for its code', () => {
    expect(new HttpError('RATE_LIMITED', 'slow down').status).toBe(429);
    expect(new HttpError('RELOAD_FAILED', 'bad config').status).toBe(422);
  });
});
