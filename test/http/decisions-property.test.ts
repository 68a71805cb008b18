import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startServe, type Served } from './serve-process.js';

let s: Served;
beforeAll(async () => { s = await startServe(); }, 60_000);
afterAll(async () => { await s?.stop(); }, 30_000);

/** Bodies near a real call (the schema's fields with any JSON value) and any JSON at all. */
const field = fc.constantFrom('campaign', 'from', 'to', 'key', 'consent', 'consentAnytime', 'zone', 'tz', 'agent', 'lead', 'source', 'at', 'bogus');
const nearCall = fc.dictionary(field, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('yes', 'oui', '0145678901', '+33 (0)4 72 12 34 56', 'prospecting', '974', 'Europe/Paris', '')));
const body = fc.oneof(nearCall, fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 40 }));

describe('POST /v1/decisions validation (property, one running serve)', () => {
  it('any JSON body gets a 200 decision or a 4xx {error:{code,message}}, never a 5xx, and the service keeps answering', async () => {
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const r = await post(`${s.url}/v1/decisions`, typeof b === 'string' ? b : JSON.stringify(b));
      expect(r.status).toBeLessThan(500);
      if (r.status === 200) expect(r.body.action).toMatch(/^(allow|rewrite|block)$/);
      else expect(r.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }), { numRuns: 150 });
    const ok = await post(`${s.url}/v1/decisions`, { campaign: 'prospecting', to: '0145678901', consent: true });
    expect(ok.status).toBe(200);
  }, 120_000);
});
