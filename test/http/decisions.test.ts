import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startServe, type Served } from './serve-process.js';

const MONDAY = '2026-11-30T11:00:00+01:00';
const EVENING = '2026-11-30T21:00:00+01:00';
let s: Served;

beforeAll(async () => { s = await startServe(); }, 60_000);
afterAll(async () => { await s?.stop(); }, 30_000);

const decide = (body: unknown) => post(`${s.url}/v1/decisions`, body);

describe('POST /v1/decisions over HTTP against a running serve', () => {
  it('answers the decision as the AGI adapter would set it, recorded as an attempt', async () => {
    const r = await decide({ campaign: 'prospecting', from: '06 12 34 56 78', to: '+33 1 45 67 89 01', consent: true, at: MONDAY, source: 'crm', agent: 'a1', lead: 'L9' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      action: 'rewrite', campaign: 'prospecting', callerId: '0162000001', callerIdE164: '+33162000001',
      originalCallerId: '+33612345678', callee: '+33145678901', reasonCodes: 'mobile-caller-id,caller-id-not-owned,npv-required',
      retryAt: null, retryAfterSeconds: null, replayed: false,
    });
    expect(r.body.attemptId).toEqual(expect.any(Number));
    expect(r.body.reasons[0]).toEqual({ code: 'mobile-caller-id', text: expect.stringMatching(/mobile/), source: expect.stringMatching(/ARCEP/) });
  });

  it('a block is a 200 with the reasons, retryAt and retryAfterSeconds', async () => {
    const r = await decide({ campaign: 'prospecting', to: '0145678902', consent: true, at: EVENING });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      action: 'block', callerId: null, reasonCodes: 'outside-calling-hours', retryAt: '2026-12-01T09:00:00.000Z', retryAfterSeconds: 13 * 3600,
    });
    expect(r.body.reasons[0].source).toMatch(/D\.223-9/);
  });

  it('the same key twice returns the first decision, replayed', async () => {
    const body = { campaign: 'prospecting', to: '0145678903', consent: true, at: MONDAY, key: 'crm-call-1' };
    const first = await decide(body);
    const again = await decide({ ...body, to: '0145678999' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ attemptId: first.body.attemptId, callee: '+33145678903', replayed: true });
  });

  it('the campaign defaults to defaultCampaign, else is required', async () => {
    const r = await decide({ to: '0145678901', at: MONDAY });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'UNKNOWN_CAMPAIGN', field: 'campaign' });
    const u = await decide({ campaign: 'nope', to: '0145678901', at: MONDAY });
    expect(u.body.error).toMatchObject({ code: 'UNKNOWN_CAMPAIGN', field: 'campaign' });
    expect(u.body.error.message).toMatch(/"nope".*campaigns: prospecting, customer/); // it says which there are
  });

  it('counts attempts like any PBX: the 5th prospecting call in 30 days is blocked', async () => {
    const body = { campaign: 'prospecting', to: '0145678904', consent: true };
    for (const day of ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']) {
      expect((await decide({ ...body, at: `${day}T11:00:00+01:00` })).body.action).not.toBe('block');
    }
    const fifth = await decide({ ...body, at: '2026-12-04T11:00:00+01:00' });
    expect(fifth.body).toMatchObject({ action: 'block', reasonCodes: 'attempt-limit' });
  });
});

describe('POST /v1/outcomes', () => {
  it('records an outcome once, by attempt id or by key', async () => {
    const d = await decide({ campaign: 'customer', to: '0145678905', at: MONDAY, key: 'k-outcome' });
    const byId = await post(`${s.url}/v1/outcomes`, { attemptId: d.body.attemptId, status: 'answered', durationSeconds: 42 });
    expect(byId).toEqual({ status: 200, body: { recorded: true } });
    expect(await post(`${s.url}/v1/outcomes`, { key: 'k-outcome', status: 'busy' })).toEqual({ status: 200, body: { recorded: false } });
  });

  it('maps a SIP status to the outcome and its Q.850 cause', async () => {
    await decide({ campaign: 'customer', to: '0145678906', at: MONDAY, key: 'k-sip' });
    expect((await post(`${s.url}/v1/outcomes`, { key: 'k-sip', sipStatus: 486 })).body).toEqual({ recorded: true });
    const { main } = await import('../../src/cli/main.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => { text += c; });
    await main(['node', 'cidgate', 'attempts', '--config', s.config, '--db', s.db, '--to', '0145678906'], out, out);
    expect(JSON.parse(text.trim())).toMatchObject({ unique_id: 'k-sip', outcome: 'busy', hangup_cause: 17 });
  });

  it('a dialer reporting "not dialled" (cancelled-before-dial): kept in the audit trail, no longer an attempt', async () => {
    await decide({ campaign: 'customer', to: '0145678907', at: MONDAY, key: 'k-not-dialled' });
    expect((await post(`${s.url}/v1/outcomes`, { key: 'k-not-dialled', status: 'cancelled-before-dial' })).body).toEqual({ recorded: true });
    const { main } = await import('../../src/cli/main.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => { text += c; });
    await main(['node', 'cidgate', 'attempts', '--config', s.config, '--db', s.db, '--to', '0145678907'], out, out);
    expect(JSON.parse(text.trim())).toMatchObject({ unique_id: 'k-not-dialled', outcome: 'cancelled-before-dial', counted: 0 });
  });

  it('an unknown attempt is a 404 ATTEMPT_NOT_FOUND', async () => {
    const r = await post(`${s.url}/v1/outcomes`, { attemptId: 999999, status: 'answered' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'ATTEMPT_NOT_FOUND', field: 'attemptId' });
  });

  it('needs exactly one of attemptId and key, and a status', async () => {
    expect((await post(`${s.url}/v1/outcomes`, { status: 'answered' })).body.error).toMatchObject({ code: 'INVALID_FIELD', field: 'attemptId' });
    expect((await post(`${s.url}/v1/outcomes`, { key: 'x' })).body.error).toMatchObject({ code: 'INVALID_FIELD', field: 'status' });
    expect((await post(`${s.url}/v1/outcomes`, { key: 'x', status: 'maybe' })).body.error).toMatchObject({ code: 'INVALID_FIELD', field: 'status' });
  });
});

describe('bad input gets a 4xx with a stable code, and the service carries on', () => {
  it.each([
    ['malformed JSON', '{"to": "0145', 'INVALID_JSON', undefined],
    ['a wrong type', { campaign: 'customer', to: '0145678901', consentAnytime: 'yes' }, 'INVALID_FIELD', 'consentAnytime'],
    ['an unknown field', { campaign: 'customer', to: '0145678901', consnet: true }, 'INVALID_FIELD', 'consnet'],
    ['a missing callee', { campaign: 'customer' }, 'INVALID_FIELD', 'to'],
    ['a yes/no word as consent reference', { campaign: 'customer', to: '0145678901', consent: 'yes' }, 'INVALID_FIELD', 'consent'],
    ['not an object', '[1,2]', 'INVALID_FIELD', undefined],
    ['a malformed decision time', { campaign: 'customer', to: '0145678901', at: 'yesterday' }, 'INVALID_FIELD', 'at'],
  ])('%s', async (_, body, code, field) => {
    const r = await decide(body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.field).toBe(field);
    expect(r.body.error.message).toEqual(expect.any(String));
  });

  it('an oversized body is a 413 BODY_TOO_LARGE', async () => {
    const r = await decide({ campaign: 'customer', to: '0145678901', lead: 'x'.repeat(64 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('BODY_TOO_LARGE');
  });

  it('another content type is a 415', async () => {
    const r = await post(`${s.url}/v1/decisions`, 'to=0145678901', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown route is a 404 NOT_FOUND', async () => {
    const r = await fetch(`${s.url}/v2/nothing`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.code).toBe('NOT_FOUND');
  });

  it('each refusal is logged, and the service still decides', async () => {
    expect(s.lines.some((l) => l.includes('"event":"http-error"') && l.includes('INVALID_JSON'))).toBe(true);
    expect((await decide({ campaign: 'customer', to: '0145678901', at: MONDAY })).body.action).toBe('rewrite');
  });
});

describe('decision time', () => {
  it('at is refused unless http.allowDecisionTime is on', async () => {
    const off = await startServe({ overrides: { http: { allowDecisionTime: false } } });
    try {
      const r = await post(`${off.url}/v1/decisions`, { campaign: 'customer', to: '0145678901', at: MONDAY });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'DECISION_TIME_NOT_ALLOWED', field: 'at' });
    } finally {
      await off.stop();
    }
  }, 60_000);
});
