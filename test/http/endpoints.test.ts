import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/http/openapi.js';
import { parsePrometheusText } from './prometheus-text.js';
import { post, startServe, type Served } from './serve-process.js';

const MONDAY = '2026-11-30T11:00:00+01:00';
let s: Served;

beforeAll(async () => { s = await startServe(); }, 60_000);
afterAll(async () => { await s?.stop(); }, 30_000);

const decide = (body: Record<string, unknown>) => post(`${s.url}/v1/decisions`, { campaign: 'prospecting', consent: true, at: MONDAY, ...body });

describe('refusals, consents and the do-not-call list over HTTP', () => {
  it('a refusal blocks prospecting calls to that number', async () => {
    expect(await post(`${s.url}/v1/refusals`, { number: '01 45 67 00 01', campaign: 'prospecting', at: '2026-11-20T10:00:00Z' }))
      .toEqual({ status: 200, body: { number: '+33145670001', recorded: true } });
    expect((await decide({ to: '0145670001' })).body).toMatchObject({ action: 'block', reasonCodes: 'refused-recently' });
  });

  it('a recorded consent is used, and revoking it blocks again', async () => {
    const noConsent = { to: '0145670002', consent: undefined };
    expect((await decide(noConsent)).body.reasonCodes).toBe('no-consent');
    expect((await post(`${s.url}/v1/consents`, { number: '+33145670002', source: 'web-form-17', at: '2026-11-01T10:00:00Z' })).body)
      .toEqual({ number: '+33145670002', recorded: true });
    expect((await decide({ ...noConsent, key: 'consented' })).body.action).toBe('rewrite');
    const revoked = await fetch(`${s.url}/v1/consents/0145670002`, { method: 'DELETE' });
    expect(await revoked.json()).toEqual({ number: '+33145670002', recorded: true });
    expect((await (await fetch(`${s.url}/v1/consents/0145670002`, { method: 'DELETE' })).json())).toEqual({ number: '+33145670002', recorded: false });
  });

  it('numbers added to the do-not-call list are blocked', async () => {
    const r = await post(`${s.url}/v1/do-not-call`, { numbers: ['0145670003', '+33 1 45 67 00 04', '0145670003'], source: 'bloctel-2026-11', at: '2026-11-20T10:00:00Z' });
    expect(r).toEqual({ status: 200, body: { added: 2 } });
    expect((await decide({ to: '0145670004' })).body).toMatchObject({ action: 'block', reasonCodes: 'do-not-call' });
  });

  it('a malformed number is a 400 naming the field', async () => {
    expect((await post(`${s.url}/v1/do-not-call`, { numbers: ['0145670003', 'garbage'] })).body.error).toMatchObject({ code: 'INVALID_FIELD', field: 'numbers.1' });
    expect((await post(`${s.url}/v1/consents`, { number: '12' })).body.error).toMatchObject({ code: 'INVALID_FIELD', field: 'number' });
    const del = await fetch(`${s.url}/v1/consents/not-a-number`, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(await post(`${s.url}/v1/refusals`, { number: '0145670001', at: '2999-01-01T00:00:00Z' })).toMatchObject({ status: 400, body: { error: { field: 'at' } } });
  });
});

describe('health and readiness', () => {
  it('/healthz answers while the process is alive', async () => {
    const r = await fetch(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok' });
  });

  it('/readyz is 200 with the store and the service checked', async () => {
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true, checks: { store: { ok: true }, service: { ok: true } } });
  });

  it('/readyz is 503 naming the adapter that is not connected', async () => {
    const down = await startServe({ env: { CIDGATE_AMI_SECRET: 'x' }, overrides: { asterisk: { ami: { port: 1 } } } });
    try {
      const r = await fetch(`${down.url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ ready: false, checks: { store: { ok: true }, ami: { ok: false, detail: 'not connected' } } });
    } finally {
      await down.stop();
    }
  }, 60_000);
});

describe('/metrics', () => {
  it('is the Prometheus text format, with decisions by campaign, action and reason, and no phone number in any label', async () => {
    await decide({ to: '0145670010' });
    await decide({ to: '0145670011', at: '2026-11-30T21:00:00+01:00' });
    await decide({ to: '0145670012', campaign: 'customer', key: 'metrics-1' });
    await post(`${s.url}/v1/outcomes`, { key: 'metrics-1', status: 'answered' });
    const r = await fetch(`${s.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const families = parsePrometheusText(await r.text());
    const samples = [...families.values()].flatMap((f) => f.samples);
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
    expect(value('cidgate_decisions_total', { campaign: 'prospecting', action: 'rewrite' })).toBeGreaterThanOrEqual(1);
    expect(value('cidgate_decision_reasons_total', { campaign: 'prospecting', action: 'block', reason: 'outside-calling-hours' })).toBeGreaterThanOrEqual(1);
    expect(value('cidgate_decision_duration_seconds_count', { source: 'http' })).toBeGreaterThanOrEqual(2);
    expect(value('cidgate_outcomes_total', { status: 'answered', recorded: 'true' })).toBe(1);
    expect(value('cidgate_store_errors_total', {})).toBe(0);
    expect(value('cidgate_sessions_in_flight', { adapter: 'http' })).toBeGreaterThanOrEqual(1);
    expect(families.get('cidgate_decisions_total')?.type).toBe('counter');
    expect(families.get('cidgate_decision_duration_seconds')?.type).toBe('histogram');
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
    for (const f of families.values()) {
      for (const sample of f.samples) for (const v of Object.values(sample.labels)) expect(v).not.toMatch(/\d{6,}/);
    }
  });
});

describe('the OpenAPI document', () => {
  it('is served at /v1/openapi.json and lists every operation', async () => {
    const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/decisions']!.post.requestBody.content['application/json'].schema.properties.consentAnytime).toMatchObject({ type: 'boolean' });
    expect(Object.keys(doc.paths['/v1/decisions']!.post.requestBody.content['application/json'].schema.properties)).toContain('key');
    for (const op of OPERATIONS) expect(doc.paths[op.path]?.[op.method], `${op.method} ${op.path}`).toBeDefined();
  });

  it('every operation exists on the server (none answers NOT_FOUND)', async () => {
    for (const op of OPERATIONS) {
      const r = await fetch(`${s.url}${op.path.replace('{number}', '0145670099')}`, { method: op.method.toUpperCase(), ...(op.method === 'post' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      const body = r.headers.get('content-type')?.includes('json') ? await r.json() as any : null;
      expect(body?.error?.code, `${op.method} ${op.path}`).not.toBe('NOT_FOUND');
    }
  });

  it('docs/http-api.md documents exactly the document\'s operations', () => {
    const section = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'http-api.md'), 'utf8');
    const documented = [...section.matchAll(/^\| `(GET|POST|DELETE) ([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(documented).toEqual(OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort());
  });
});
