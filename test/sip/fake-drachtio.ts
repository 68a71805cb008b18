import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const DRACHTIO_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'drachtio-0.9.4');
const CRLF = '\r\n';

/** The INVITEs SIPp sent through the captured drachtio-server, as they reached the application. */
export function capturedInvites(): string[] {
  return readFileSync(join(DRACHTIO_FIXTURES, 'srf-wire.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { dir: string; data: string })
    .filter((e) => e.dir === 'server->app' && e.data.includes('|sip|network|') && e.data.includes('\r\nINVITE '))
    .map((e) => e.data.slice(e.data.indexOf(CRLF) + 2));
}

export interface SipMsg {
  readonly start: string;
  readonly headers: [string, string][];
  readonly body: string;
}

export function parseSip(text: string): SipMsg {
  const split = text.indexOf(CRLF + CRLF);
  const head = split === -1 ? text : text.slice(0, split);
  const [start = '', ...lines] = head.split(CRLF);
  return {
    start,
    headers: lines.filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    body: split === -1 ? '' : text.slice(split + 4),
  };
}

export function header(m: SipMsg, name: string): string | undefined {
  return m.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

function withHeader(m: SipMsg, name: string, value: string): SipMsg {
  const others = m.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  return { ...m, headers: [...others, [name, value]] };
}

function sipText(m: SipMsg): string {
  const headers = m.headers.filter(([k]) => k.toLowerCase() !== 'content-length');
  return [m.start, ...headers.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${Buffer.byteLength(m.body)}`, '', m.body].join(CRLF);
}

const time = () => new Date().toISOString().slice(11, 26);
const tag = () => randomUUID().slice(0, 13).replace(/-/g, '');

/** What the carrier does with the INVITE the B2BUA sends it. */
export type CarrierScript = { respond: number[] } | { ringThenWait: true };

interface Transaction {
  readonly request: SipMsg;
  readonly dialogId: string | null;
  /** network: received from a SIP peer; application: sent by the app. */
  readonly source: 'network' | 'application';
}

/**
 * drachtio-server 0.9.4 as the application sees it (see srf-wire.jsonl): `LENGTH#` framing;
 * `authenticate` and `route` answered; SIP messages delivered as `…|sip|network|…|transactionId|
 * dialogId|…` and every message the application sends echoed back as `…|response|msgId|OK|
 * application|…|Msg sent:` with what a SIP stack adds (Via, tags, Call-ID, CSeq, Contact). It plays
 * the PBX (INVITE, CANCEL, BYE, ACK) and the carrier (provisional and final answers, 200 to BYE).
 */
export class FakeDrachtio {
  readonly server: net.Server;
  readonly fromApp: string[] = [];
  /** SIP messages the application sent out, as the stack put them on the wire. */
  readonly sent: SipMsg[] = [];
  private socket: net.Socket | null = null;
  private readonly txns = new Map<string, Transaction>();
  carrier: CarrierScript = { respond: [180, 200] };
  authenticated = false;
  /** PBX-side dialogs whose 200 OK the PBX has acknowledged: only then may it hang up. */
  readonly acked = new Set<string>();
  private connectedResolve: (() => void) | null = null;
  readonly ready: Promise<void>;

  constructor(private readonly secret: string) {
    this.ready = new Promise((r) => { this.connectedResolve = r; });
    this.server = net.createServer((s) => {
      this.socket = s;
      let buf = '';
      s.on('error', () => undefined);
      s.on('data', (d) => {
        buf += d.toString('utf8');
        for (;;) {
          const hash = buf.indexOf('#');
          if (hash === -1) return;
          const len = Number(buf.slice(0, hash));
          const body = buf.slice(hash + 1);
          if (Buffer.byteLength(body) < len) return;
          const msg = Buffer.from(body).subarray(0, len).toString('utf8');
          buf = Buffer.from(body).subarray(len).toString('utf8');
          this.fromApp.push(msg);
          this.onAppMessage(msg);
        }
      });
    });
  }

  listen(port = 0): Promise<number> {
    return new Promise((r) => this.server.listen(port, '127.0.0.1', () => r((this.server.address() as net.AddressInfo).port)));
  }

  close(): void {
    this.socket?.destroy();
    this.server.close();
  }

  private send(s: string): void {
    const m = `${randomUUID()}|${s}`;
    this.socket?.write(`${Buffer.byteLength(m)}#${m}`);
  }

  private onAppMessage(msg: string): void {
    const eol = msg.indexOf(CRLF);
    const leader = eol === -1 ? msg : msg.slice(0, eol);
    const [msgId = '', type, ...rest] = leader.split('|');
    if (type === 'authenticate') {
      this.authenticated = rest[0] === this.secret;
      this.send(this.authenticated ? `response|${msgId}|OK|udp/127.0.0.1:5060|v0.9.4|udp/127.0.0.1:5060` : `response|${msgId}|NOK|incorrect secret`);
      if (!this.authenticated) this.socket?.end();
    } else if (type === 'route' || type === 'ping') {
      this.send(`response|${msgId}|OK`);
      if (type === 'route') this.connectedResolve?.();
    } else if (type === 'sip') {
      this.onAppSip(msgId, rest[0] ?? '', rest[1] ?? '', parseSip(msg.slice(eol + 2)));
    }
  }

  /** A peer (the PBX, or `from` another address) sends an INVITE (the captured text, or a variant); returns its transaction id. */
  invite(text: string, from = '127.0.0.1'): string {
    const txid = randomUUID();
    const m = parseSip(text);
    this.txns.set(txid, { request: m, dialogId: null, source: 'network' });
    this.network(txid, '', m, '|127.0.0.1|5060|', '5090', from);
    return txid;
  }

  /** The PBX cancels its pending INVITE. */
  cancel(inviteTxid: string): void {
    const invite = this.txns.get(inviteTxid)!.request;
    const m: SipMsg = { start: invite.start.replace('INVITE', 'CANCEL'), headers: invite.headers.filter(([k]) => !/^(content-type|p-asserted-identity)$/i.test(k)).map(([k, v]) => [k, k.toLowerCase() === 'cseq' ? v.replace('INVITE', 'CANCEL') : v]), body: '' };
    this.network(randomUUID(), '', m, '|127.0.0.1|5060|', '5090');
  }

  /** The PBX hangs up an answered call: BYE on the PBX-side dialog. */
  bye(inviteTxid: string): void {
    const t = this.txns.get(inviteTxid)!;
    const invite = t.request;
    const m: SipMsg = {
      start: 'BYE sip:127.0.0.1:5060 SIP/2.0',
      headers: [['Via', 'SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-bye'], ['From', header(invite, 'From')!], ['To', `${header(invite, 'To')};tag=uas-tag`],
        ['Call-ID', header(invite, 'Call-ID')!], ['CSeq', '2 BYE'], ['Max-Forwards', '70']],
      body: '',
    };
    const txid = randomUUID();
    this.txns.set(txid, { request: m, dialogId: this.uasDialog(invite), source: 'network' });
    this.network(txid, this.uasDialog(invite), m, '', '5090');
  }

  /** The PBX sends an in-dialog request (re-INVITE with new SDP, INFO…) on its answered dialog. */
  inDialog(inviteTxid: string, method: 'INVITE' | 'INFO', body: string, contentType: string): string {
    const invite = this.txns.get(inviteTxid)!.request;
    const m: SipMsg = {
      start: `${method} sip:127.0.0.1:5060 SIP/2.0`,
      headers: [['Via', 'SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-indialog'], ['From', header(invite, 'From')!], ['To', `${header(invite, 'To')};tag=uas-tag`],
        ['Call-ID', header(invite, 'Call-ID')!], ['CSeq', `2 ${method}`], ['Contact', '<sip:0612345678@127.0.0.1:5090>'], ['Content-Type', contentType]],
      body,
    };
    const txid = randomUUID();
    this.txns.set(txid, { request: m, dialogId: this.uasDialog(invite), source: 'network' });
    this.network(txid, this.uasDialog(invite), m, '', '5090');
    return txid;
  }

  private uasDialog(invite: SipMsg): string {
    return `${header(invite, 'Call-ID')};from-tag=${/tag=([^;]+)/.exec(header(invite, 'From') ?? '')?.[1] ?? ''}`;
  }

  private network(txid: string, dialogId: string, m: SipMsg, extra: string, port: string, from = '127.0.0.1'): void {
    const text = sipText(m);
    this.send(`sip|network|${Buffer.byteLength(text)}|udp|${from}|${port}|${time()}|${txid}|${dialogId}${extra}${CRLF}${text}`);
  }

  private echo(msgId: string, txid: string, dialogId: string, m: SipMsg, port: string): void {
    const text = sipText(m);
    this.sent.push(m);
    this.send(`response|${msgId}|OK|application|${Buffer.byteLength(text)}|udp|127.0.0.1|${port}|${time()}|${txid}|${dialogId}||Msg sent:${CRLF}${text}`);
  }

  private onAppSip(msgId: string, stackTxnId: string, stackDialogId: string, m: SipMsg): void {
    if (m.start.startsWith('SIP/2.0')) return this.onAppResponse(msgId, stackTxnId, m);
    const method = m.start.split(' ')[0];
    if (method === 'INVITE' && !stackDialogId) return this.onCarrierInvite(msgId, m);
    if (method === 'CANCEL') {
      const invite = this.txns.get(stackTxnId);
      this.echo(msgId, randomUUID(), '', m, '5080');
      if (invite) this.carrierAnswer(stackTxnId, invite, 487);
      return;
    }
    // ACK, BYE or another in-dialog request on a dialog.
    const txid = randomUUID();
    const sent = withHeader(m, 'Call-ID', stackDialogId.split(';')[0] ?? '');
    this.echo(msgId, txid, stackDialogId, sent, '5080');
    if (method !== 'ACK') {
      // The carrier answers in-dialog requests: a re-INVITE with its new SDP, INFO with a body of its own.
      const body = method === 'INVITE' ? 'v=0\r\no=carrier 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6020 RTP/AVP 0\r\n' : '';
      const ok: SipMsg = {
        start: 'SIP/2.0 200 OK',
        headers: [['CSeq', `3 ${method}`], ['Call-ID', stackDialogId.split(';')[0] ?? ''], ['Contact', '<sip:127.0.0.1:5080>'],
          ...(body ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
        body,
      };
      setTimeout(() => this.network(txid, stackDialogId, ok, '', '5080'), 5);
    }
  }

  /** The B2BUA's INVITE to the carrier: the stack completes it, then the carrier answers per script. */
  private onCarrierInvite(msgId: string, m: SipMsg): void {
    const txid = randomUUID();
    const callId = randomUUID();
    const fromTag = tag();
    let sent = withHeader(m, 'Via', `SIP/2.0/UDP 127.0.0.1;rport;branch=z9hG4bK${tag()}`);
    sent = withHeader(sent, 'From', `${header(m, 'From')};tag=${fromTag}`);
    if (!header(m, 'To')) sent = withHeader(sent, 'To', `<${m.start.split(' ')[1]}>`);
    sent = withHeader(sent, 'Call-ID', callId);
    sent = withHeader(sent, 'CSeq', '123357386 INVITE');
    sent = withHeader(sent, 'Contact', '<sip:127.0.0.1:5060>');
    if (m.body) sent = withHeader(sent, 'Content-Type', 'application/sdp');
    const dialogId = `${callId};from-tag=${fromTag}`;
    this.txns.set(txid, { request: sent, dialogId, source: 'application' });
    this.echo(msgId, txid, 'Msg sent:', sent, '5080');
    const script = this.carrier;
    if ('respond' in script) void this.answerInTurn(txid, script.respond);
    else setTimeout(() => this.carrierAnswer(txid, this.txns.get(txid)!, 180), 5);
  }

  /**
   * The carrier's answers one after the other, each provisional one relayed to the PBX before the
   * next is sent: a real carrier's 200 comes seconds after its 180, never within the B2BUA's
   * reaction time, so the order the PBX sees must not depend on the scheduler.
   */
  private async answerInTurn(txid: string, statuses: readonly number[]): Promise<void> {
    for (const status of statuses) {
      await new Promise((r) => setTimeout(r, 5));
      const relayedBefore = this.relayedToPbx(status);
      this.carrierAnswer(txid, this.txns.get(txid)!, status);
      if (status >= 200) return;
      while (this.relayedToPbx(status) === relayedBefore && this.socket && !this.socket.destroyed) {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }

  /** How many responses with this status the application sent (the carrier leg gets none of these). */
  private relayedToPbx(status: number): number {
    return this.sent.filter((m) => m.start.startsWith(`SIP/2.0 ${status} `)).length;
  }

  private carrierAnswer(txid: string, t: Transaction, status: number): void {
    const reasons: Record<number, string> = { 180: 'Ringing', 200: 'OK', 486: 'Busy Here', 487: 'Request Terminated', 404: 'Not Found' };
    const req = t.request;
    const sdp = 'v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6010 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
    const res: SipMsg = {
      start: `SIP/2.0 ${status} ${reasons[status] ?? 'Whatever'}`,
      headers: [['Via', header(req, 'Via') ?? ''], ['From', header(req, 'From') ?? ''], ['To', `${header(req, 'To')};tag=carrier-tag`],
        ['Call-ID', header(req, 'Call-ID') ?? ''], ['CSeq', header(req, 'CSeq') ?? ''], ['Contact', '<sip:127.0.0.1:5080;transport=UDP>'],
        ...(status === 200 ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
      body: status === 200 ? sdp : '',
    };
    this.network(txid, t.dialogId ?? '', res, '', '5080');
  }

  /** The B2BUA's response to the PBX's INVITE (or BYE…): echoed with the dialog it makes. */
  private onAppResponse(msgId: string, stackTxnId: string, m: SipMsg): void {
    const t = this.txns.get(stackTxnId);
    const req = t?.request;
    let sent = m;
    if (req) {
      for (const h of ['Via', 'From', 'Call-ID', 'CSeq']) if (header(req, h)) sent = withHeader(sent, h, header(req, h)!);
      if (!header(sent, 'Contact')) sent = withHeader(sent, 'Contact', '<sip:127.0.0.1:5060>'); // the stack adds ours
      sent = withHeader(sent, 'To', `${header(req, 'To')}${/^SIP\/2.0 1[0-9][0-9]/.test(m.start) && !m.start.includes(' 100 ') || /^SIP\/2.0 [2-6]/.test(m.start) ? ';tag=uas-tag' : ''}`);
    }
    const dialogId = req && /^SIP\/2.0 200/.test(m.start) && req.start.startsWith('INVITE') ? this.uasDialog(req) : '';
    this.echo(msgId, stackTxnId, dialogId, sent, '5090');
    if (dialogId) {
      // The PBX acknowledges the 200 OK.
      const ack: SipMsg = { start: 'ACK sip:127.0.0.1:5060 SIP/2.0', headers: [['Call-ID', header(req!, 'Call-ID')!], ['CSeq', '1 ACK'], ['From', header(req!, 'From')!], ['To', `${header(req!, 'To')};tag=uas-tag`]], body: '' };
      setTimeout(() => { this.network(randomUUID(), dialogId, ack, '', '5090'); this.acked.add(dialogId); }, 5);
    }
  }
}
