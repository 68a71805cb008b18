import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNameAddr, parseNameAddr, parseUri } from '../../src/sip/name-addr.js';
import { sipCall } from '../../src/sip/sip-request.js';

describe('SIP identities', () => {
  it.each([
    ['<sip:0612345678@127.0.0.1>', { user: '0612345678', host: '127.0.0.1', scheme: 'sip', display: null }],
    ['"Agent Smith" <sip:+33612345678@pbx.example;user=phone>;tag=abc', { user: '+33612345678', host: 'pbx.example', display: 'Agent Smith', params: ';tag=abc' }],
    ['<tel:+33612345678;phone-context=example>', { user: '+33612345678', scheme: 'tel', host: null }],
    ['sip:0033145678901@10.0.0.1;tag=1', { user: '0033145678901', host: '10.0.0.1' }],
    ['Agent <sips:%2B33145678901@h>', { user: '+33145678901', display: 'Agent', scheme: 'sips' }],
    ['"a, b" <sip:1@h>, <sip:2@h>', { user: '1', display: 'a, b' }],
    ['"x <y> z" <sip:3@h>', { user: '3', display: 'x <y> z' }],
    ['<sip:0612345678:secret@h>', { user: '0612345678' }],
  ])('%s', (value, expected) => {
    expect(parseNameAddr(value)).toMatchObject(expected);
  });

  it.each(['', 'garbage', '<sip:nohost>', '<http://x@y>', '"unterminated <sip:1@h'])('rejects %j', (value) => {
    expect(parseNameAddr(value)).toBeNull();
  });

  it('a display name can never break out of its quotes or its line (property)', () => {
    const tricky = fc.string({ maxLength: 60, unit: fc.oneof(fc.constantFrom('<', '>', '"', '\\', ',', ';', '\r', '\n', ':', '@', ' '), fc.string({ minLength: 1, maxLength: 1 })) });
    fc.assert(fc.property(fc.oneof(tricky, fc.string({ maxLength: 100, unit: 'binary' })), fc.string({ maxLength: 40 }), (display, params) => {
      const h = formatNameAddr({ display, scheme: 'sip', host: 'h' }, '0162000001', params);
      expect(h).not.toMatch(/[\r\n\0]/);
      const parsed = parseNameAddr(h);
      expect(parsed?.user).toBe('0162000001');
    }), { numRuns: 2000 });
  });

  it('reads caller (PAI, then RPID, then From), destination, campaign and hints from an INVITE', () => {
    const headers: Record<string, string> = {
      From: '"Zoé" <sip:1001@pbx>;tag=1', 'Remote-Party-ID': '<sip:0612345678@pbx>;party=calling', 'Call-ID': 'c-1',
      'X-Cidgate-Zone': '69', 'X-Cidgate-Consent': 'web:42', 'X-Cidgate-Agent': 'a7',
    };
    const req = { uri: 'sip:+33145678901@gw;user=phone', source_address: '192.0.2.5', get: (n: string) => headers[n], has: (n: string) => n in headers };
    const call = sipCall(req, { campaign: 'customer', assertsConsent: true });
    expect(call.request).toMatchObject({ campaign: 'customer', from: '0612345678', to: '+33145678901', zone: '69', consent: 'web:42', pbx: { source: 'sip', uniqueId: 'c-1', agent: 'a7', channel: '192.0.2.5' } });
    expect(call.usedRemotePartyId).toBe(true);
    expect(call.caller?.display).toBe('Zoé');
    expect(parseUri('tel:+33145678901')?.user).toBe('+33145678901');
  });
});
