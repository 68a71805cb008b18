import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReasonCode } from '../../src/model/types.js';
import { consumerRulesWithCode } from '../../src/rules/index.js';
import { runCli } from '../helpers.js';

let dir: string;
let db: string;
const cli = (...args: string[]) => runCli([...args, '--db', db]);
const lawOf = (code: ReasonCode) => consumerRulesWithCode(code).map((r) => r.source).join('; ');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cidgate-privacy-'));
  db = join(dir, 'privacy.db');
  for (const at of ['2026-08-24T11:00', '2026-11-20T11:00']) {
    expect((await cli('check', '--campaign', 'prospecting', '--from', '0612345678', '--to', '0145678901', '--consent', 'form-9', '--record', '--at', at)).code).toBe(0);
  }
  await cli('consent', 'add', '0145678901', '--source', 'web-form-17', '--at', '2026-03-02T10:00');
  await cli('refuse', '0145678901', '--at', '2026-09-01T10:00');
  await cli('dnc', 'add', '0145678901', '--at', '2026-11-27T10:00');
  // Another consumer: one old attempt, relying on the consent on record.
  await cli('consent', 'add', '0145678902', '--source', 'crm-7', '--at', '2026-03-02T10:00');
  expect((await cli('check', '--campaign', 'prospecting', '--from', '0612345678', '--to', '0145678902', '--record', '--at', '2026-08-24T11:00')).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cidgate privacy', () => {
  it('export: attempts, consents, refusals and the do-not-call entry as JSON, and a log line with the number masked', async () => {
    const out = join(dir, 'consumer.json');
    const r = await cli('privacy', 'export', '01 45 67 89 01', '--out', out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.number).toBe('+33145678901');
    expect(doc.attempts.map((a: { consentRef: string }) => a.consentRef)).toEqual(['form-9', 'form-9']);
    expect(doc.attempts[0].area).toMatchObject({ country: 'FR' });
    expect(doc.consents).toHaveLength(1);
    expect(doc.refusals).toHaveLength(1);
    expect(doc.doNotCall).toMatchObject({ addedAt: '2026-11-27T09:00:00.000Z' });
    const log = JSON.parse(r.err.trim());
    expect(log).toMatchObject({ event: 'privacy-export', number: '+3314•••••01', attempts: 2 });
  });

  it('erase without --yes changes nothing', async () => {
    const r = await cli('privacy', 'erase', '0145678901', '--at', '2026-11-30T11:00');
    expect(r.code).toBe(2);
    expect(r.err).toContain('ERASE_NOT_CONFIRMED');
    expect(JSON.parse((await cli('privacy', 'export', '0145678901')).out).attempts).toHaveLength(2);
  });

  it('erase --yes: the old attempt and the refusal past its period go, and it says what it kept and why', async () => {
    const r = await cli('privacy', 'erase', '0145678901', '--yes', '--at', '2026-11-30T11:00');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^- 1 decision .*replaced by erased-/m);
    expect(r.out).toMatch(/^- 1 refusal older than 61 days deleted/m);
    expect(r.out).toMatch(/^- 1 attempt of the last 31 days: the attempt limit/m);
    // The periods the config sets and the rules' own legal sources, not a copy of them.
    expect(r.out).toContain(`- 0 refusals of the last 61 days: no prospecting call for 60 days for prospecting (${lawOf('refused-recently')})\n`);
    expect(r.out).toContain(`the attempt limit counts them (${lawOf('attempt-limit')})`);
    expect(r.out).toContain(`relied on (${lawOf('no-consent')})`);
    expect(r.out).toMatch(/^- do-not-call entry: kept/m);
    expect(r.out).toMatch(/^- revoked the consent in force: yes/m);
    // The March consent was in force at the kept attempt of 20 November: it stays, with the withdrawal.
    expect(r.out).toMatch(/^- 2 consent events with the number: the consent the kept attempts relied on \(Loi n° 2025-594 .*art\. 13/m);
    expect(r.out).toMatch(/^- 0 consent events only pseudonymised attempts relied on/m);
    const doc = JSON.parse((await cli('privacy', 'export', '0145678901')).out);
    expect(doc.attempts.map((a: { at: string }) => a.at)).toEqual(['2026-11-20T10:00:00.000Z']);
    expect(doc.refusals).toEqual([]);
    expect(doc.consents.map((c: { kind: string }) => c.kind)).toEqual(['given', 'revoked']);
  });

  it('erase --yes: a consent only pseudonymised attempts relied on takes the pseudonym with them; the withdrawal stays', async () => {
    const r = await cli('privacy', 'erase', '0145678902', '--yes', '--at', '2026-11-30T11:00');
    expect(r.code, r.err).toBe(0);
    const pseudonym = /^- 1 decision .*replaced by (erased-[0-9a-f-]+)/m.exec(r.out)![1]!;
    expect(r.out).toContain(`- 1 consent event only pseudonymised attempts relied on: number replaced by ${pseudonym}`);
    expect(r.out).toMatch(/^- 1 consent event with the number: .*the latest withdrawal/m);
    const doc = JSON.parse((await cli('privacy', 'export', '0145678902')).out);
    expect(doc.consents.map((c: { kind: string; source: string | null }) => [c.kind, c.source])).toEqual([['revoked', null]]);
    expect(doc.attempts).toEqual([]);
  });

  it('a malformed number is BAD_NUMBER', async () => {
    for (const cmd of ['export', 'erase']) expect((await cli('privacy', cmd, '12')).err).toContain('BAD_NUMBER');
  });
});
