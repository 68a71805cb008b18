import type Srf from 'drachtio-srf';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { formatNumber, type NumberFormat } from '../numbers/phone.js';
import type { Decision } from '../model/types.js';
import type { Gateway } from '../service/gateway.js';
import { formatNameAddr } from './name-addr.js';
import { sipOutcome } from './sip-outcome.js';
import { sipCall, type SipCall } from './sip-request.js';
import type { SipSources } from './sources.js';

export interface SipOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** Where allowed calls go; `{number}` is replaced by the dialed user part. */
  readonly carrierUri: string;
  readonly blockStatus: number;
  readonly keepDisplayName: boolean;
  /** How numbers are written to the PBX; default: the gateway's current config (follows a reload). */
  readonly callerIdFormat?: NumberFormat;
  /** The PBXs INVITEs are accepted from; any other peer gets 403 without a decision. */
  readonly sources: SipSources;
}

/** Headers of the PBX's INVITE that the carrier leg carries on as they are. */
const PASSED_THROUGH = ['Privacy', 'User-Agent', 'Subject', 'Session-Expires', 'Min-SE', 'Supported', 'Allow', 'Accept'];

/** The headers a blocked INVITE is refused with; nothing from the request is echoed. */
export function blockHeaders(d: Decision, now: Date): Record<string, string> {
  const codes = d.reasons.join(',');
  const headers: Record<string, string> = { Reason: `Q.850;cause=21;text="${codes}"`, 'X-Cidgate-Reason': codes };
  if (d.retryAt) headers['Retry-After'] = String(Math.max(0, Math.ceil((d.retryAt.getTime() - now.getTime()) / 1000)));
  return headers;
}

/** The identity headers of the carrier leg: the presented number in From, P-Asserted-Identity (and RPID). */
export function identityHeaders(call: SipCall, presented: string, opts: Pick<SipOptions, 'keepDisplayName'>): Record<string, string> {
  const caller = call.caller ?? { display: null, scheme: 'sip' as const, host: null, params: '' };
  const shown = { ...caller, display: opts.keepDisplayName ? caller.display : null };
  const headers: Record<string, string> = {
    From: formatNameAddr(shown, presented),
    'P-Asserted-Identity': formatNameAddr({ ...caller, display: null }, presented),
  };
  if (call.usedRemotePartyId) headers['Remote-Party-ID'] = formatNameAddr({ ...caller, display: null }, presented, caller.params);
  return headers;
}

/**
 * cidgate as a SIP back-to-back user agent in front of the carrier (drachtio-srf on a
 * drachtio-server): each INVITE from the PBX is decided; a blocked call is refused with the
 * reasons, an allowed one is re-originated to the carrier with the presented number, and both
 * legs then live and die together. proxyRequest cannot change headers, hence the B2BUA.
 * drachtio-srf is loaded by `start`, so that a service without SIP never loads it.
 */
export class SipB2bua {
  private srf: Srf | null = null;
  private stopped = false;
  /** Connected to drachtio-server (readiness and metrics read it). */
  connected = false;
  /** INVITEs refused because they came from no configured source (metrics read it). */
  untrustedRefused = 0;

  constructor(private readonly opts: SipOptions, private readonly gateway: Gateway, private readonly log: Logger) {}

  async start(): Promise<void> {
    const { default: SrfClass } = await import('drachtio-srf');
    if (this.stopped) return;
    const srf = new SrfClass();
    this.srf = srf;
    srf.on('connect', (err: unknown, hostport: string) => {
      if (err) return;
      this.connected = true;
      this.log.info({ event: 'drachtio-connected', hostport }, 'drachtio-server connected');
    });
    // drachtio-srf reconnects by itself; without an 'error' listener a refused connection would throw.
    srf.on('error', (err: Error) => {
      this.connected = false;
      this.log.warn({ event: 'drachtio-error', code: 'PEER_CONNECTION_FAILED', err: { message: err.message } }, 'drachtio-server unreachable, retrying');
    });
    srf.invite((req, res) => void this.onInvite(srf, req, res));
    // Returns nothing in 5.x, whatever its typings say; failures arrive as 'error' events.
    void srf.connect({ host: this.opts.host, port: this.opts.port, secret: this.opts.secret });
  }

  /** drachtio-srf's disconnect asserts when no connection is up (drachtio-server down): only when connected. */
  stop(): void {
    this.stopped = true;
    if (this.connected) this.srf?.disconnect();
  }

  private async onInvite(srf: Srf, req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const source = this.opts.sources.match(req.source_address);
    if (!source) {
      // Whoever reaches drachtio-server's port could otherwise pick a campaign, claim consent and
      // reach the carrier: refused before any decision, nothing recorded, nothing relayed.
      this.untrustedRefused++;
      this.log.warn({ event: 'sip-untrusted-source', peer: req.source_address, refused: this.untrustedRefused }, 'INVITE refused: not from a configured sip.sources address');
      res.send(403, { headers: { Reason: 'Q.850;cause=21;text="untrusted-source"' } });
      return;
    }
    const call = sipCall(req, source);
    if (call.invalidHints.length > 0) this.log.warn({ event: 'pbx-hints-invalid', invalid: call.invalidHints, peer: req.source_address }, 'invalid X-Cidgate hints ignored');
    const callId = call.request.pbx?.uniqueId ?? null;
    // A CANCEL while cidgate decides: the INVITE never reaches the carrier (createB2BUA handles later ones).
    let cancelled = false;
    req.on('cancel', () => { cancelled = true; });
    try {
      const result = await this.gateway.check(call.request, { record: true });
      const d = result.decision;
      if (d.action === 'block' || !d.callerId) {
        res.send(this.opts.blockStatus, { headers: blockHeaders(d, new Date()) });
        return;
      }
      if (cancelled) {
        // Never relayed, so never placed to the consumer: not an attempt, kept in the audit trail.
        if (!res.finalResponseSent) res.send(487);
        if (result.attemptId !== null && !result.replayed) {
          await this.gateway.recordOutcome({ attemptId: result.attemptId }, { status: 'cancelled-before-dial', hangupCause: 16, durationSeconds: 0, at: new Date() });
        }
        return;
      }
      const number = call.request.to ?? '';
      const uri = this.opts.carrierUri.replace('{number}', encodeURIComponent(number));
      const presented = formatNumber(d.callerId, this.opts.callerIdFormat ?? this.gateway.config.callerIdFormat);
      let answeredAt = 0;
      const { uas, uac } = await srf.createB2BUA(req, res, uri, {
        headers: identityHeaders(call, presented, this.opts),
        proxyRequestHeaders: PASSED_THROUGH,
      });
      answeredAt = performance.now();
      this.bridge(uas, uac, () => {
        if (!callId) return;
        void this.gateway.recordOutcome({ pbxUniqueId: callId }, {
          status: 'answered', hangupCause: 16, durationSeconds: Math.round((performance.now() - answeredAt) / 1000), at: new Date(),
        });
      });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (typeof status === 'number' && callId) {
        const [outcome, cause] = sipOutcome(status);
        void this.gateway.recordOutcome({ pbxUniqueId: callId }, { status: outcome, hangupCause: cause, durationSeconds: 0, at: new Date() });
        return; // createB2BUA already passed the failure back to the PBX
      }
      this.log.error({ event: 'sip-error', code: errorCode(err), callId, err: { message: (err as Error).message } }, 'INVITE not handled');
      if (!res.finalResponseSent) res.send(500);
    }
  }

  /** Both legs end together; re-INVITEs and INFO pass through both ways. */
  private bridge(uas: Srf.Dialog, uac: Srf.Dialog, onEnd: () => void): void {
    let ended = false;
    const end = (other: Srf.Dialog) => () => {
      if (ended) return;
      ended = true;
      onEnd();
      try {
        other.destroy();
      } catch (err) {
        this.log.warn({ event: 'sip-hangup-failed', code: errorCode(err, 'PEER_CONNECTION_FAILED'), err: { message: (err as Error).message } }, 'could not end the other leg');
      }
    };
    uas.on('destroy', end(uac));
    uac.on('destroy', end(uas));
    // A hang-up that arrived before these listeners (right after the answer) already ended a leg.
    const connected = (d: Srf.Dialog) => (d as unknown as { connected: boolean }).connected;
    if (!connected(uas)) end(uac)();
    else if (!connected(uac)) end(uas)();
    for (const [from, to] of [[uas, uac], [uac, uas]] as const) {
      from.on('modify', (req, res) => {
        to.modify(req.body).then((sdp) => res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }))
          .catch((e: { status?: number }) => res.send(e.status ?? 500));
      });
      from.on('info', (req, res) => {
        to.request({ method: 'INFO', headers: { 'Content-Type': req.get('Content-Type') ?? 'application/dtmf-relay' }, body: req.body } as unknown as Srf.SrfRequest)
          .then((r) => res.send(r.status, { body: r.body }))
          .catch((e: { status?: number }) => res.send(e.status ?? 500));
      });
    }
  }
}
