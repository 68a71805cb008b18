import type { CallRequest } from '../model/types.js';
import type { Headers } from './esl-protocol.js';
import { pbxHints, type PbxHints } from '../service/call-input.js';

const UNSET = new Set(['', '_undef_', 'unknown', 'anonymous']);

/** The channel data of the `connect` reply → the call to decide (the FreeSWITCH contract), and the hints refused. */
export function outboundRequest(data: Headers): { call: CallRequest; invalidHints: PbxHints['invalid'] } {
  const v = (name: string) => {
    const value = data.get(`variable_${name}`);
    return value === undefined || value === '' ? null : value;
  };
  const callerId = data.get('Caller-Caller-ID-Number') ?? '';
  const { hints, invalid } = pbxHints({
    consent: v('cidgate_consent'), consentAnytime: v('cidgate_consent_anytime'), zone: v('cidgate_zone'), tz: v('cidgate_tz'),
    agent: v('cidgate_agent'), lead: v('cidgate_lead'),
  });
  const call: CallRequest = {
    campaign: (v('cidgate_campaign') ?? '').trim(),
    from: UNSET.has(callerId) ? null : callerId,
    to: v('cidgate_to') ?? data.get('Caller-Destination-Number') ?? null,
    zone: hints.zone, timeZone: hints.timeZone, consent: hints.consent, consentAnytime: hints.consentAnytime,
    pbx: {
      source: 'freeswitch', channel: data.get('Channel-Name') ?? null, uniqueId: data.get('Unique-ID') ?? null,
      agent: hints.agent, lead: hints.lead,
    },
  };
  return { call, invalidHints: invalid };
}
