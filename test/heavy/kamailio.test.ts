import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  finalResponses, hasProgram, header, runPbx, sipOptions, startCarrier, startCidgate, startKamailio, udpExchange,
  type Carrier, type Cidgate, type Kamailio, type PbxRun, type SipMessage,
} from '../../bench/kamailio-lab.js';
import { freePort, freeUdpPort } from '../../bench/ports.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { describeIfAvailable } from '../requires.js';
import { until } from '../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const describeWithKamailio = describeIfAvailable('Kamailio and SIPp', hasProgram('kamailio') && hasProgram('sipp'),
  'apt-get install kamailio kamailio-extra-modules kamailio-utils-modules sip-tester (or run bash .ci/run)');

/** The customer campaign's pool number for zone 4 (manual dialing: the most local geographic number). */
const POOL_04 = '0465710001';

const MODES = [
  { mode: 'async', title: 'asynchronously over evapi (cidgate.cfg, the default)', httpMode: false },
  { mode: 'http', title: 'over HTTP (cidgate-http.cfg, the simple mode)', httpMode: true },
] as const;

for (const { mode, title, httpMode } of MODES) describeWithKamailio(`Kamailio in front of the carrier, deciding with cidgate ${title} (real Kamailio, real SIPp)`, () => {
  const dir = mkdtempSync(join(tmpdir(), `cidgate-kamailio-${mode}-`));
  let cidgatePort: number;
  let cidgate: Cidgate;
  let carrier: Carrier;
  let kamailio: Kamailio;
  const extra: Kamailio[] = [];
  /** Kamailio's evapi ports, known to cidgate's config before the Kamailios start: the main one, the busy carrier's. */
  let evapiPorts: number[] = [];
  const kamailioOptions = (carrierPort: number, evapiPort: number | undefined) => ({
    carrierPort, cidgateUrl: cidgate.url, httpMode, ...(httpMode ? {} : { evapiPort }),
  });

  beforeAll(async () => {
    cidgatePort = await freePort();
    evapiPorts = httpMode ? [] : [await freePort(), await freePort()];
    cidgate = await startCidgate(dir, cidgatePort, evapiPorts);
    carrier = await startCarrier(dir, await freeUdpPort());
    kamailio = await startKamailio(dir, { sipPort: await freeUdpPort(), ...kamailioOptions(carrier.port, evapiPorts[0]) });
  }, 60_000);

  afterAll(async () => {
    cidgate?.resume();
    for (const k of [...extra, kamailio]) await k?.stop();
    await carrier?.stop();
    await cidgate?.stop();
  }, 30_000);

  const callIds = (run: PbxRun) => [...finalResponses(run).keys()];
  /** The INVITEs the carrier received for these calls (one per call: retransmissions dropped). */
  const invitesAtCarrier = (ids: string[]): SipMessage[] => {
    const seen = new Map<string, SipMessage>();
    for (const m of carrier.messages()) {
      const id = header(m, 'call-id') ?? '';
      if (m.direction === 'received' && m.startLine.startsWith('INVITE ') && ids.includes(id)) seen.set(id, m);
    }
    return [...seen.values()];
  };
  const carrierGot = (id: string, method: string) =>
    carrier.messages().some((m) => m.direction === 'received' && m.startLine.startsWith(`${method} `) && header(m, 'call-id') === id);
  const status = (m: SipMessage | undefined) => Number(/^SIP\/2\.0 (\d{3})/.exec(m?.startLine ?? '')?.[1]);
  const attemptsTo = (e164: string) => cidgate.attempts().filter((a) => a.callee === e164);

  it('relays a customer call with From and P-Asserted-Identity rewritten to the pool number, no X-Cidgate-* header, and records it with its outcome', async () => {
    const run = await runPbx(dir, { kamailioPort: kamailio.port, calls: [{ from: '0612345678', to: '0472123456', campaign: 'customer' }], holdMs: 1000 });
    expect(run.status).toBe(0);
    const [id] = callIds(run);
    expect(status(finalResponses(run).get(id!))).toBe(200);

    const [invite] = invitesAtCarrier([id!]);
    expect(invite, 'the carrier got the INVITE').toBeDefined();
    expect(invite!.startLine).toBe(`INVITE sip:0472123456@127.0.0.1:${carrier.port} SIP/2.0`);
    expect(header(invite!, 'from')).toMatch(new RegExp(`^"Agent 12" <sip:${POOL_04}@127\\.0\\.0\\.1>;tag=`));
    expect(invite!.headers.get('p-asserted-identity')).toEqual([`<sip:${POOL_04}@127.0.0.1>`]);
    expect([...invite!.headers.keys()].filter((h) => h.startsWith('x-cidgate-'))).toEqual([]);
    expect(carrierGot(id!, 'ACK')).toBe(true);
    expect(carrierGot(id!, 'BYE')).toBe(true);

    await until(() => attemptsTo('+33472123456').some((a) => a.outcome !== null), 10_000);
    const [attempt] = attemptsTo('+33472123456');
    expect(attempt).toMatchObject({
      campaign: 'customer', action: 'rewrite', original_caller_id: '+33612345678', presented_caller_id: '+33465710001', outcome: 'answered',
    });
    expect(attempt!.duration_s).toBeGreaterThanOrEqual(0);
  });

  it('records a call the carrier refuses as busy', async () => {
    const busyCarrier = await startCarrier(dir, await freeUdpPort(), false, join(PACKAGE_ROOT, 'test', 'heavy', 'kamailio', 'carrier-busy.xml'));
    try {
      const toBusy = await startKamailio(dir, { sipPort: await freeUdpPort(), ...kamailioOptions(busyCarrier.port, evapiPorts[1]) });
      extra.push(toBusy);
      if (!httpMode) {
        // Both Kamailios of cidgate's endpoints are up now: readiness and the gauge say so.
        const ready = await (await fetch(`${cidgate.url}/readyz`)).json() as { checks: Record<string, { ok: boolean }> };
        expect(ready.checks['kamailio-evapi']).toEqual({ ok: true });
        expect(await (await fetch(`${cidgate.url}/metrics`)).text()).toContain('cidgate_adapter_connected{adapter="kamailio-evapi"} 1');
      }
      const run = await runPbx(dir, { kamailioPort: toBusy.port, calls: [{ from: '0612345678', to: '0472888888', campaign: 'customer' }] });
      expect(status(finalResponses(run).get(callIds(run)[0]!))).toBe(486);
      await until(() => attemptsTo('+33472888888').some((a) => a.outcome !== null), 10_000);
      expect(attemptsTo('+33472888888')).toMatchObject([{ action: 'rewrite', outcome: 'busy', hangup_cause: 17 }]);
    } finally {
      await busyCarrier.stop();
    }
  });

  it('refuses a prospecting call outside the legal window with 403, the reasons and a Retry-After up to the next window', async () => {
    // Saturday 28 November 2026, 10:30 in Paris: the window opens again on Monday at 10:00 (47.5 h later).
    const run = await runPbx(dir, {
      kamailioPort: kamailio.port,
      calls: [{ from: '0612345678', to: '0145678901', campaign: 'prospecting', at: '2026-11-28T10:30:00+01:00', consent: 'signed-form-42' }],
    });
    expect(run.status).toBe(0);
    const [id] = callIds(run);
    const refusal = finalResponses(run).get(id!)!;
    expect(refusal.startLine).toBe('SIP/2.0 403 Forbidden');
    expect(header(refusal, 'x-cidgate-reason')).toBe('outside-calling-hours');
    expect(header(refusal, 'reason')).toBe('Q.850;cause=21;text="outside-calling-hours"');
    expect(header(refusal, 'retry-after')).toBe(String(47.5 * 3600));
    expect(invitesAtCarrier([id!])).toEqual([]);
    expect(attemptsTo('+33145678901')).toMatchObject([{ action: 'block', retry_at: '2026-11-30T09:00:00.000Z' }]);
  });

  it('decides and relays a burst of 50 concurrent calls', async () => {
    const calls = Array.from({ length: 50 }, (_, i) => ({ from: '0612345678', to: `04721234${String(i).padStart(2, '0')}`, campaign: 'customer' }));
    const run = await runPbx(dir, { kamailioPort: kamailio.port, calls, rate: 200, limit: 50, holdMs: 2000 });
    expect(run.status).toBe(0);
    const ids = callIds(run);
    expect(ids).toHaveLength(50);
    expect([...finalResponses(run).values()].map(status)).toEqual(Array(50).fill(200));
    const invites = invitesAtCarrier(ids);
    expect(invites).toHaveLength(50);
    for (const invite of invites) expect(header(invite, 'p-asserted-identity')).toBe(`<sip:${POOL_04}@127.0.0.1>`);
    await until(() => {
      const recorded = cidgate.attempts().filter((a) => calls.some((c) => a.callee === `+33${c.to.slice(1)}`));
      return recorded.length === 50 && recorded.every((a) => a.outcome === 'answered');
    }, 15_000);
  });

  it('fails closed while cidgate is stopped or hung, Kamailio keeps running, and calls flow again once it is back', async () => {
    const customerCall = { from: '0612345678', to: '0472999999', campaign: 'customer' };
    await cidgate.stop();

    const refused = await runPbx(dir, { kamailioPort: kamailio.port, calls: [customerCall] });
    const [refusedId] = callIds(refused);
    const unavailable = finalResponses(refused).get(refusedId!)!;
    expect(unavailable.startLine).toBe('SIP/2.0 503 Service Unavailable');
    expect(header(unavailable, 'x-cidgate-reason')).toBe('cidgate-unavailable');
    expect(invitesAtCarrier([refusedId!])).toEqual([]);
    expect(kamailio.alive()).toBe(true);
    expect(await sipOptions(kamailio.port)).toBe(true);

    // Fail-open for the customer campaign: an owned number goes out unchanged, a mobile does not.
    const failOpen = await startKamailio(dir, {
      sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url, httpMode,
      defines: ['CIDGATE_FAIL_OPEN_CAMPAIGNS="^customer$"', `CIDGATE_OWNED="^${POOL_04}$"`],
    });
    extra.push(failOpen);
    const open = await runPbx(dir, { kamailioPort: failOpen.port, calls: [{ ...customerCall, from: POOL_04 }, customerCall] });
    const [ownedId, mobileId] = callIds(open);
    expect(status(finalResponses(open).get(ownedId!))).toBe(200);
    expect(header(invitesAtCarrier([ownedId!])[0]!, 'p-asserted-identity')).toBe(`<sip:${POOL_04}@127.0.0.1>`);
    expect(status(finalResponses(open).get(mobileId!))).toBe(503);
    expect(invitesAtCarrier([mobileId!])).toEqual([]);

    cidgate = await startCidgate(dir, cidgatePort);
    if (!httpMode) await kamailio.engineConnected(2);
    const back = await runPbx(dir, { kamailioPort: kamailio.port, calls: [customerCall] });
    expect(status(finalResponses(back).get(callIds(back)[0]!))).toBe(200);

    // Hung (accepts connections, never answers): 503 once the 1 s timeout expires, not later;
    // meanwhile OPTIONS are answered and an established call's BYE goes through.
    const established = runPbx(dir, { kamailioPort: kamailio.port, calls: [{ ...customerCall, to: '0472999998' }], holdMs: 3000 });
    await until(() => carrier.messages().some((m) => m.direction === 'received' && m.startLine.startsWith('ACK ') && header(m, 'to')?.includes('0472999998')), 10_000);
    cidgate.pause();
    try {
      const pending = runPbx(dir, { kamailioPort: kamailio.port, calls: [customerCall, { ...customerCall, to: '0472999997' }], rate: 50 });
      await sleep(200);
      expect(await sipOptions(kamailio.port, 500), 'OPTIONS answered while cidgate is hung').toBe(true);
      const hung = await pending;
      for (const id of callIds(hung)) {
        const refusal = finalResponses(hung).get(id)!;
        expect(status(refusal)).toBe(503);
        expect(header(refusal, 'x-cidgate-reason')).toBe('cidgate-unavailable');
        const invite = hung.messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE ') && header(m, 'call-id') === id)!;
        expect(refusal.atMs - invite.atMs).toBeGreaterThanOrEqual(900);
        expect(refusal.atMs - invite.atMs).toBeLessThan(2500); // the 1 s timeout, with a margin for a loaded machine
      }
      const call = await established;
      expect(call.status, 'the established call hung up normally (its BYE relayed and answered)').toBe(0);
      expect(carrierGot(callIds(call)[0]!, 'BYE')).toBe(true);
    } finally {
      cidgate.resume();
    }
    const after = await runPbx(dir, { kamailioPort: kamailio.port, calls: [customerCall] });
    expect(status(finalResponses(after).get(callIds(after)[0]!))).toBe(200);
  }, 90_000);

  it('reads X-Cidgate-Consent as the SIP B2BUA does: yes, true, 1 are consent, no, false, 0 leave it to the record, a proof reference is passed on', async () => {
    const words = ['yes', 'true', '1', 'no', 'false', '0', 'YES', 'signed-form-42'];
    const calls = words.map((consent, i) => ({ from: '0612345678', to: `04721111${String(i).padStart(2, '0')}`, campaign: 'customer', consent }));
    const run = await runPbx(dir, { kamailioPort: kamailio.port, calls, rate: 50 });
    const byCallee = new Map(invitesAtCarrier(callIds(run)).map((m) => [/sip:(\d+)@/.exec(m.startLine)![1], m]));
    for (const c of calls) expect(byCallee.has(c.to), `consent ${c.consent}: the call went out`).toBe(true);
    for (const s of [...finalResponses(run).values()].map(status)) expect(s).toBe(200);
    const refs = new Map(cidgate.attempts().map((a) => [a.callee, a.consent_ref]));
    const expected: Record<string, unknown> = { yes: 'asserted-by-dialer', true: 'asserted-by-dialer', 1: 'asserted-by-dialer', YES: 'asserted-by-dialer', no: null, false: null, 0: null, 'signed-form-42': 'signed-form-42' };
    for (const c of calls) expect(refs.get(`+33${c.to.slice(1)}`), `consent ${c.consent}`).toBe(expected[c.consent]);
  });

  it('refuses a request cidgate finds malformed with 403 naming the field and code, never as unavailable', async () => {
    const run = await runPbx(dir, {
      kamailioPort: kamailio.port, rate: 50,
      calls: [
        { from: '0612345678', to: '0472222201', campaign: 'customer', agent: 'a'.repeat(129) },
        { from: '0612345678', to: '0472222202', campaign: 'customer', consent: 'oui' },
      ],
    });
    const [agent, consent] = callIds(run).map((id) => finalResponses(run).get(id)!);
    expect(agent!.startLine).toBe('SIP/2.0 403 Forbidden - invalid request');
    expect(header(agent!, 'x-cidgate-reason')).toBe('invalid-request;field=agent;code=INVALID_FIELD');
    expect(header(consent!, 'x-cidgate-reason')).toBe('invalid-request;field=consent;code=INVALID_FIELD');
    expect(invitesAtCarrier(callIds(run))).toEqual([]);
  });

  it('hides the topology: neither the mobile in the PBX\'s Contact nor the PBX\'s address and port reach the carrier in any header', async () => {
    const run = await runPbx(dir, { kamailioPort: kamailio.port, calls: [{ from: '0612345678', to: '0472333333', campaign: 'customer' }], holdMs: 300 });
    const [id] = callIds(run);
    expect(status(finalResponses(run).get(id!))).toBe(200);
    const pbxVia = run.messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE '))!;
    const pbxPort = /:(\d+);branch/.exec(header(pbxVia, 'via')!)![1]!;
    const atCarrier = carrier.messages().filter((m) => m.direction === 'received' && header(m, 'call-id') === id);
    expect(atCarrier.map((m) => m.startLine.split(' ')[0])).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'BYE']));
    for (const m of atCarrier) {
      for (const [name, values] of m.headers) {
        for (const v of values) {
          expect(v, `${name} at the carrier`).not.toContain('0612345678');
          expect(v, `${name} at the carrier`).not.toContain(`:${pbxPort}`);
        }
      }
    }
  });

  it('asks cidgate once for an INVITE and its retransmission (tm absorbs the copy)', async () => {
    const decisions = async () => {
      const text = await (await fetch(`${cidgate.url}/metrics`)).text();
      return Number(/^cidgate_decision_duration_seconds_count\{source="kamailio"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await decisions();
    const invite = [
      `INVITE sip:0145000777@127.0.0.1:${kamailio.port} SIP/2.0`, 'Via: SIP/2.0/UDP {local};branch=z9hG4bK-retrans-1;rport',
      'From: <sip:0612345678@127.0.0.1>;tag=retrans', `To: <sip:0145000777@127.0.0.1:${kamailio.port}>`, `Call-ID: retrans-${mode}@lab`,
      'CSeq: 1 INVITE', 'Contact: <sip:0612345678@{local}>', 'X-Cidgate-Campaign: prospecting', 'X-Cidgate-At: 2026-11-28T10:30:00+01:00',
      'X-Cidgate-Consent: signed-form-42', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n');
    expect(await udpExchange(kamailio.port, [invite, invite, invite], 2000)).toMatch(/^SIP\/2\.0 (100|403)/);
    await until(() => attemptsTo('+33145000777').length > 0, 10_000);
    await sleep(500);
    expect(attemptsTo('+33145000777')).toHaveLength(1);
    expect(await decisions()).toBe(before + 1);
  });

  it('refuses an INVITE from an untrusted address without asking cidgate, and survives garbage', async () => {
    const before = cidgate.attempts().length;
    const garbage = [
      Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7919) % 256)),
      'INVITE\r\n\r\n',
      'INVITE sip:0472123456@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {local}\r\nContent-Length: banana\r\n\r\n',
      `INVITE sip:${'9'.repeat(3000)}@127.0.0.1 SIP/2.0\r\nFrom: <sip:x>\r\n\r\n`,
    ];
    await udpExchange(kamailio.port, garbage, 500);

    const run = await runPbx(dir, {
      kamailioPort: kamailio.port, ip: '127.0.0.2', calls: [{ from: '0612345678', to: '0472777777', campaign: 'customer' }],
    });
    const [id] = callIds(run);
    expect(finalResponses(run).get(id!)!.startLine).toBe('SIP/2.0 403 Forbidden - untrusted source');
    expect(invitesAtCarrier([id!])).toEqual([]);
    expect(cidgate.attempts().length).toBe(before);

    expect(kamailio.alive()).toBe(true);
    const ok = await runPbx(dir, { kamailioPort: kamailio.port, calls: [{ from: '0612345678', to: '0472777777', campaign: 'customer' }] });
    expect(status(finalResponses(ok).get(callIds(ok)[0]!))).toBe(200);
  });
});
