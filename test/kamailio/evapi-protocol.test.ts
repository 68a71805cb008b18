import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvapiProtocolError, NetstringParser, netstring } from '../../src/kamailio/evapi-protocol.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { PBX_FALSE, PBX_TRUE } from '../../src/service/call-input.js';
import { cutAt } from '../helpers.js';

const text = (frames: Buffer[]) => frames.map((f) => f.toString('utf8'));

describe('evapi netstring framing', () => {
  it('reads frames whole, several in one chunk, and a frame split anywhere', () => {
    const stream = Buffer.concat([netstring('{"a":1}'), netstring(''), netstring('é,:'), netstring('{"id":"1:2"}')]);
    expect(text(new NetstringParser(1000).push(stream))).toEqual(['{"a":1}', '', 'é,:', '{"id":"1:2"}']);
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new NetstringParser(1000);
      expect(text(cutAt(stream, [cut]).flatMap((c) => parser.push(c)))).toEqual(['{"a":1}', '', 'é,:', '{"id":"1:2"}']);
    }
  });

  it('gives the same frames for any chunking of any messages', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }), fc.array(fc.nat(200), { maxLength: 10 }), (messages, cuts) => {
      const stream = Buffer.concat(messages.map(netstring));
      const parser = new NetstringParser(1000);
      const sorted = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      expect(text(cutAt(stream, sorted).flatMap((c) => parser.push(c)))).toEqual(messages);
    }));
  });

  it.each([
    ['a length that is not a number', 'x5:hello,'],
    ['no length', ':hello,'],
    ['a missing comma', '5:hello;'],
    ['an endless length prefix', '12345678901'],
    ['a frame over the limit', '2000:'],
  ])('refuses %s with EVAPI_PROTOCOL_ERROR', (_what, input) => {
    const parser = new NetstringParser(1000);
    expect(() => parser.push(Buffer.from(input))).toThrow(EvapiProtocolError);
    try { new NetstringParser(1000).push(Buffer.from(input)); } catch (err) { expect((err as EvapiProtocolError).code).toBe('EVAPI_PROTOCOL_ERROR'); }
  });

  it('waits for more bytes on an incomplete frame instead of failing', () => {
    const parser = new NetstringParser(1000);
    expect(parser.push(Buffer.from('5:hel'))).toEqual([]);
    expect(text(parser.push(Buffer.from('lo,')))).toEqual(['hello']);
  });
});

describe('the Kamailio configs read the consent words as the SIP B2BUA does', () => {
  const common = readFileSync(join(PACKAGE_ROOT, 'dialplan', 'kamailio', 'cidgate-common.cfg'), 'utf8');
  it('uses PBX_TRUE and PBX_FALSE on the lower-cased, trimmed header', () => {
    expect(common).toContain(`$var(cidgate_word) = $(hdr(X-Cidgate-Consent){s.trim}{s.tolower});`);
    expect(common).toContain(`if ($var(cidgate_word) =~ "${PBX_TRUE.source}") {\n\t\tjansson_set("true", "consent"`);
    expect(common).toContain(`!($var(cidgate_word) =~ "${PBX_FALSE.source}")`);
    expect(PBX_TRUE.flags).toBe('i');
    expect(PBX_FALSE.flags).toBe('i');
  });
});
