import type { CallRequest } from '../model/types.js';
import { parseNameAddr, parseUri, type NameAddr } from './name-addr.js';
import type { SipSource } from './sources.js';
import { pbxHints, type PbxHints } from '../service/call-input.js';

/** What the B2BUA reads from an INVITE (drachtio-srf's request satisfies it). */
export interface InviteLike {
  readonly uri: string;
  readonly source_address: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SipCall {
  readonly request: CallRequest;
  /** Where the presented identity came from, to rebuild the same headers with the new number. */
  readonly caller: NameAddr | null;
  readonly usedRemotePartyId: boolean;
  /** X-Cidgate-* hints the call schema refused: ignored, for a log line. */
  readonly invalidHints: PbxHints['invalid'];
}

/**
 * The call an INVITE from a trusted PBX asks for: caller from P-Asserted-Identity, else
 * Remote-Party-ID, else From; destination from the Request-URI user (else To); campaign and hints
 * from X-Cidgate-* headers, else the campaign configured for the PBX's source; X-Cidgate-Consent
 * only from a source allowed to assert consent.
 */
export function sipCall(req: InviteLike, source: Pick<SipSource, 'campaign' | 'assertsConsent'>): SipCall {
  const header = (n: string) => (req.has(n) ? req.get(n) ?? null : null);
  const pai = parseNameAddr(header('P-Asserted-Identity'));
  const rpid = pai ? null : parseNameAddr(header('Remote-Party-ID'));
  const from = parseNameAddr(header('From'));
  const caller = pai ?? rpid ?? from;
  const to = parseUri(req.uri) ?? parseNameAddr(header('To'));
  const { hints, invalid } = pbxHints({
    consent: source.assertsConsent ? header('X-Cidgate-Consent') : null,
    consentAnytime: source.assertsConsent ? header('X-Cidgate-Consent-Anytime') : null,
    zone: header('X-Cidgate-Zone'), tz: header('X-Cidgate-Tz'), agent: header('X-Cidgate-Agent'), lead: header('X-Cidgate-Lead'),
  });
  return {
    invalidHints: invalid,
    caller: caller ? { ...caller, display: from?.display ?? caller.display } : null,
    usedRemotePartyId: header('Remote-Party-ID') !== null,
    request: {
      campaign: (header('X-Cidgate-Campaign') ?? source.campaign ?? '').trim(),
      from: caller?.user ?? null,
      to: to?.user ?? null,
      zone: hints.zone, timeZone: hints.timeZone, consent: hints.consent, consentAnytime: hints.consentAnytime,
      pbx: {
        source: 'sip', channel: req.source_address, uniqueId: header('Call-ID'),
        agent: hints.agent, lead: hints.lead,
      },
    },
  };
}
