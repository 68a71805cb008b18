import type { CallRequest } from '../policy/types.js';
import type { Headers } from './esl-protocol.js';

const UNSET = new Set(['', '_undef_', 'unknown', 'anonymous']);

/** The channel data of the `connect` reply → the call to decide (the FreeSWITCH contract). */
export function outboundRequest(data: Headers): CallRequest {
  const v = (name: string) => {
    const value = data.get(`variable_${name}`);
    return value === undefined || value === '' ? null : value;
  };
  const callerId = data.get('Caller-Caller-ID-Number') ?? '';
  const consent = v('cidgate_consent');
  return {
    campaign: (v('cidgate_campaign') ?? '').trim(),
    from: UNSET.has(callerId) ? null : callerId,
    to: v('cidgate_to') ?? data.get('Caller-Destination-Number') ?? null,
    zone: v('cidgate_zone'),
    timeZone: v('cidgate_tz'),
    consent: consent === null || consent === '0' ? null : consent === '1' ? true : consent,
    consentAnytime: /^(1|yes|true)$/i.test(v('cidgate_consent_anytime') ?? ''),
    pbx: {
      source: 'freeswitch', channel: data.get('Channel-Name') ?? null, uniqueId: data.get('Unique-ID') ?? null,
      agent: v('cidgate_agent'), lead: v('cidgate_lead'),
    },
  };
}
