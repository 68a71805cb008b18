import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SipB2bua } from '../../src/sip/b2bua.js';
import { SipSources } from '../../src/sip/sources.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example, until } from '../helpers.js';
import { FakeDrachtio, capturedInvites, header, parseSip, type SipMsg } from './fake-drachtio.js';

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
let store: SqliteStore;
let drachtio: FakeDrachtio;
let b2bua: SipB2bua;

beforeEach(async () => {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cidgate-sip-')), 'sip.db'));
  const gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger);
  drachtio = new FakeDrachtio('cymru');
  const port = await drachtio.listen();
  b2bua = new SipB2bua({
    host: '127.0.0.1', port, secret: 'cymru', carrierUri: 'sip:{number}@127.0.0.1:5080', blockStatus: 403,
    keepDisplayName: true, callerIdFormat: 'national',
    sources: new SipSources([{ address: '127.0.0.1', campaign: 'customer', assertsConsent: true }, { address: '192.0.2.0/24', campaign: 'customer', assertsConsent: false }]),
  }, gateway, silentLogger);
  b2bua.start();
  await drachtio.ready;
});
afterEach(async () => {
  b2bua.stop();
  drachtio.close();
  await store.close();
});

const [CALL1, CALL2] = capturedInvites();
const sentInvite = () => drachtio.sent.find((m) => m.start.startsWith('INVITE'));
const sentResponses = () => drachtio.sent.filter((m) => m.start.startsWith('SIP/2.0')).map((m) => m.start.slice(8));
async function rows() {
  const all = [];
  for await (const r of store.attempts({})) all.push(r);
  return all;
}

/** The captured INVITE with some headers replaced or removed (null). */
function variant(base: string, replace: Record<string, string | null>, uri?: string): string {
  const m = parseSip(base);
  const headers = m.headers.filter(([k]) => !(k in replace) || replace[k] !== null).map(([k, v]) => [k, k in replace ? replace[k]! : v] as [string, string]);
  for (const [k, v] of Object.entries(replace)) if (v !== null && !headers.some(([h]) => h === k)) headers.push([k, v]);
  const start = uri ? `INVITE ${uri} SIP/2.0` : m.start;
  return [start, ...headers.map(([k, v]) => `${k}: ${v}`), '', m.body].join('\r\n');
}

describe('SIP B2BUA against a fake drachtio-server 0.9.4', () => {
  it('the captured INVITE: rewritten From and P-Asserted-Identity to the carrier, SDP untouched, both legs end together', async () => {
    const txid = drachtio.invite(CALL1!);
    await until(() => sentResponses().includes('200 OK'));
    const out = sentInvite()!;
    expect(out.start).toBe('INVITE sip:0698765432@127.0.0.1:5080 SIP/2.0');
    expect(header(out, 'From')).toMatch(/^<sip:0977400001@127\.0\.0\.1>;tag=/);
    expect(header(out, 'P-Asserted-Identity')).toBe('<sip:0977400001@127.0.0.1>');
    expect(out.body).toBe(parseSip(CALL1!).body);
    expect(sentResponses()).toEqual(['180 Ringing', '200 OK']);
    expect(drachtio.sent.some((m) => m.start.startsWith('ACK'))).toBe(true);

    await until(() => drachtio.acked.size === 1);
    drachtio.bye(txid);
    await until(() => drachtio.sent.some((m) => m.start.startsWith('BYE')));
    const [row] = await rows();
    await until(() => false, 200).catch(() => undefined);
    expect((await rows())[0]).toMatchObject({ source: 'sip', pbxUniqueId: '1-23366@127.0.0.1', presentedCallerId: '+33977400001', outcome: 'answered' });
    expect(row!.campaign).toBe('customer');
  });

  it('re-INVITE and INFO from the PBX pass through to the carrier and back', async () => {
    const txid = drachtio.invite(CALL1!);
    await until(() => drachtio.acked.size === 1);
    await new Promise((r) => setTimeout(r, 50)); // a PBX re-INVITEs (hold, session refresh) well after the answer
    const sdp = parseSip(CALL1!).body.replace('m=audio 6004', 'm=audio 7004');
    drachtio.inDialog(txid, 'INVITE', sdp, 'application/sdp');
    await until(() => drachtio.sent.filter((m) => m.start.startsWith('INVITE')).length === 2);
    expect(drachtio.sent.filter((m) => m.start.startsWith('INVITE'))[1]!.body).toBe(sdp);
    await until(() => sentResponses().filter((r) => r === '200 OK').length === 2);
    const answer = drachtio.sent.filter((m) => m.start === 'SIP/2.0 200 OK')[1]!;
    expect(answer.body).toContain('m=audio 6020');
    drachtio.inDialog(txid, 'INFO', 'Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay');
    await until(() => drachtio.sent.some((m) => m.start.startsWith('INFO')));
    expect(drachtio.sent.find((m) => m.start.startsWith('INFO'))!.body).toBe('Signal=5\r\nDuration=160\r\n');
  });

  it('the captured refused call: 403 with Reason, X-Cidgate-Reason and Retry-After; the carrier never sees it', async () => {
    drachtio.invite(variant(CALL2!, { 'X-Cidgate-Campaign': 'prospecting' }));
    await until(() => sentResponses().length > 0);
    const refusal = drachtio.sent.find((m) => m.start.startsWith('SIP/2.0 403'))!;
    expect(header(refusal, 'X-Cidgate-Reason')).toBe('no-consent');
    expect(header(refusal, 'Reason')).toBe('Q.850;cause=21;text="no-consent"');
    expect(sentInvite()).toBeUndefined();
    drachtio.invite(variant(CALL2!.replace('1-23368', '9-1'), { 'X-Cidgate-Campaign': 'prospecting', 'X-Cidgate-Consent': 'form-9' }, 'sip:0299000000@127.0.0.1:5060'));
    // Monday 11:00 is inside the window: allowed. A Saturday would carry Retry-After.
    await until(() => sentInvite() !== undefined);
  });

  it('an INVITE from an address outside sip.sources: 403, never relayed, no decision, logged and counted', async () => {
    drachtio.invite(variant(CALL1!, { 'X-Cidgate-Campaign': 'prospecting', 'X-Cidgate-Consent': 'forged' }), '203.0.113.9');
    await until(() => sentResponses().length > 0);
    expect(sentResponses()).toEqual(['403 Forbidden']);
    expect(header(drachtio.sent.find((m) => m.start.startsWith('SIP/2.0 403'))!, 'Reason')).toBe('Q.850;cause=21;text="untrusted-source"');
    expect(sentInvite()).toBeUndefined();
    expect(await rows()).toEqual([]);
    expect(b2bua.untrustedRefused).toBe(1);
  });

  it('X-Cidgate-Consent is believed only from a source allowed to assert consent', async () => {
    const asking = (n: string) => variant(CALL2!.replace('1-23368', n), { 'X-Cidgate-Campaign': 'prospecting', 'X-Cidgate-Consent': 'form-9' }, 'sip:0299000000@127.0.0.1:5060');
    drachtio.invite(asking('7-1'), '192.0.2.44'); // inside 192.0.2.0/24: trusted, but not with consent
    await until(() => sentResponses().length > 0);
    expect(header(drachtio.sent.find((m) => m.start.startsWith('SIP/2.0 403'))!, 'X-Cidgate-Reason')).toBe('no-consent');
    expect(sentInvite()).toBeUndefined();
    drachtio.invite(asking('7-2'), '127.0.0.1');
    await until(() => sentInvite() !== undefined);
    expect(b2bua.untrustedRefused).toBe(0);
  });

  it('no P-Asserted-Identity: the caller is From; a tel: URI and +33 user are understood', async () => {
    drachtio.invite(variant(CALL1!, { 'P-Asserted-Identity': null, From: '"Agent Zoé" <tel:+33612345678>;tag=abc' }, 'sip:+33145678901@127.0.0.1:5060'));
    await until(() => sentInvite() !== undefined);
    expect(header(sentInvite()!, 'From')).toMatch(/^"Agent Zoé" <tel:0199000001>;tag=/);
    expect(header(sentInvite()!, 'P-Asserted-Identity')).toBe('<tel:0199000001>');
    expect((await rows())[0]).toMatchObject({ callee: '+33145678901', originalCallerId: '+33612345678' });
  });

  it('Remote-Party-ID is rewritten too; Privacy passes through; a hostile display name cannot break the header', async () => {
    drachtio.invite(variant(CALL1!, {
      'P-Asserted-Identity': null, 'Remote-Party-ID': '<sip:0612345678@127.0.0.1>;party=calling;screen=yes;privacy=off',
      From: '"Evil\\" <sip:x@y>\r\nX-Injected: 1" <sip:0612345678@127.0.0.1>;tag=t', Privacy: 'id',
    }));
    await until(() => sentInvite() !== undefined);
    const out = sentInvite()!;
    expect(header(out, 'Remote-Party-ID')).toBe('<sip:0977400001@127.0.0.1>;party=calling;screen=yes;privacy=off');
    expect(header(out, 'Privacy')).toBe('id');
    expect(header(out, 'X-Injected')).toBeUndefined();
    expect(header(out, 'From')).not.toMatch(/\r|\n|X-Injected:/);
  });

  it('486 from the carrier goes back to the PBX and is recorded as busy (cause 17)', async () => {
    drachtio.carrier = { respond: [486] };
    drachtio.invite(CALL1!);
    await until(() => sentResponses().includes('486 Busy Here'));
    await until(() => false, 200).catch(() => undefined);
    expect((await rows())[0]).toMatchObject({ outcome: 'busy', hangupCause: 17 });
  });

  it('reconnects when drachtio-server comes back, and serves calls again', async () => {
    const port = (drachtio.server.address() as { port: number }).port;
    drachtio.close();
    await new Promise((r) => setTimeout(r, 300)); // drachtio-server is down for a while
    drachtio = new FakeDrachtio('cymru');
    await drachtio.listen(port);
    await drachtio.ready;
    drachtio.invite(CALL1!);
    await until(() => sentInvite() !== undefined);
  });

  it('CANCEL while cidgate decides: 487 to the PBX, never relayed; not an attempt, kept as cancelled-before-dial', async () => {
    // The store takes a while to decide, long enough for the PBX's CANCEL to arrive first.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const checkAndRecord = store.checkAndRecord.bind(store);
    store.checkAndRecord = async (...args) => { await gate; return checkAndRecord(...args); };
    const txid = drachtio.invite(variant(CALL1!, { 'X-Cidgate-Campaign': 'prospecting', 'X-Cidgate-Consent': 'form-9' }));
    drachtio.cancel(txid);
    setTimeout(release, 150);
    await until(() => sentResponses().some((r) => r.startsWith('487')));
    expect(sentInvite()).toBeUndefined();
    await until(async () => (await rows())[0]?.outcome != null);
    expect((await rows())[0]).toMatchObject({ pbxUniqueId: '1-23366@127.0.0.1', action: 'rewrite', counted: false, outcome: 'cancelled-before-dial' });
  });

  it('CANCEL before answer: 487 to the PBX, CANCEL to the carrier, recorded as cancelled', async () => {
    drachtio.carrier = { ringThenWait: true };
    const txid = drachtio.invite(CALL1!);
    await until(() => sentResponses().includes('180 Ringing'));
    drachtio.cancel(txid);
    await until(() => sentResponses().includes('487 Request Terminated') || sentResponses().some((r) => r.startsWith('487')));
    await until(() => drachtio.sent.some((m: SipMsg) => m.start.startsWith('CANCEL')));
    await until(() => false, 200).catch(() => undefined);
    expect((await rows())[0]).toMatchObject({ outcome: 'cancelled' });
  });
});
