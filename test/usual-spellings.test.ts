import { describe, expect, it } from 'vitest';
import { parseAgiRequest } from '../src/asterisk/agi-request.js';
import { parseNumberArg } from '../src/cli/context.js';
import { fixedClock } from '../src/clock.js';
import { outboundRequest } from '../src/freeswitch/outbound-request.js';
import { decide } from '../src/policy/decide.js';
import { EMPTY_HISTORY, type CallRequest } from '../src/model/types.js';
import { sipCall } from '../src/sip/sip-request.js';
import { example } from './helpers.js';

/** Monday 30 November 2026, 11:00 in Paris: any call may go. */
const MONDAY_11H = '2026-11-30T10:00:00Z';
const decideOn = (call: CallRequest) =>
  decide(call, EMPTY_HISTORY, example.site, example.campaigns.get(call.campaign), fixedClock(MONDAY_11H));

/** The customer campaign's own Lyon-area number, and a Lyon consumer, each written the usual French way. */
const OWN = { e164: '+33465710001', spellings: ['+33 (0)4 65 71 00 01', 'tel:+33465710001', '+330465710001'] };
const CONSUMER = { e164: '+33472123456', spellings: ['+33 (0)4 72 12 34 56', '0033 (0)4 72 12 34 56', '+33 0 4 72 12 34 56', '+330472123456', 'tel:+33472123456'] };

describe('numbers written the usual French way reach a lawful decision at every door', () => {
  const pairs = CONSUMER.spellings.map((to, i) => [to, OWN.spellings[i % OWN.spellings.length]!] as const);

  it.each(pairs)('FastAGI: to=%s from the caller ID %s', (to, from) => {
    const r = parseAgiRequest(new Map([['agi_network_script', 'check'], ['agi_callerid', from], ['agi_arg_1', 'customer'], ['agi_arg_2', `to=${to}`]]));
    if (r.script !== 'check') throw new Error('not a check');
    expect(decideOn(r.call)).toMatchObject({ action: 'allow', callee: CONSUMER.e164, callerId: OWN.e164 });
  });

  it.each(pairs)('FreeSWITCH Event Socket: cidgate_to=%s from %s', (to, from) => {
    const { call } = outboundRequest(new Map([['Caller-Caller-ID-Number', from], ['variable_cidgate_campaign', 'customer'], ['variable_cidgate_to', to]]));
    expect(decideOn(call)).toMatchObject({ action: 'allow', callee: CONSUMER.e164, callerId: OWN.e164 });
  });

  it.each([
    ['sip:+33(0)472123456@gw;user=phone', '<tel:+33465710001>'],
    ['sip:+33%20(0)4%2072%2012%2034%2056@gw', '<sip:+33(0)465710001@pbx>'],
    ['sip:+330472123456@gw', '"Agent" <sip:+330465710001@pbx>'],
  ])('SIP: Request-URI %s, P-Asserted-Identity %s', (uri, pai) => {
    const headers: Record<string, string> = { 'P-Asserted-Identity': pai, From: '<sip:1001@pbx>;tag=1', 'X-Cidgate-Campaign': 'customer' };
    const call = sipCall({ uri, source_address: '127.0.0.1', get: (n) => headers[n], has: (n) => n in headers }, { campaign: null, assertsConsent: false });
    expect(decideOn(call.request)).toMatchObject({ action: 'allow', callee: CONSUMER.e164, callerId: OWN.e164 });
  });

  it.each(CONSUMER.spellings)('the CLI reads %s', (text) => {
    expect(parseNumberArg(text)).toBe(CONSUMER.e164);
  });

  it('what is really ambiguous is still refused: two trunk zeros block the call, an extension is not a caller ID', () => {
    expect(decideOn({ campaign: 'customer', from: OWN.e164, to: '+33 00 4 72 12 34 56' }).reasons).toEqual(['invalid-number']);
    expect(decideOn({ campaign: 'customer', from: 'tel:+33465710001;ext=12', to: CONSUMER.e164 })).toMatchObject({ action: 'rewrite', reasons: ['caller-id-not-owned'] });
  });
});
