import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/cli/csv.js';
import { fixedClock } from '../../src/clock.js';
import { buildReport } from '../../src/report/build.js';
import { REPORT_CSV_COLUMNS } from '../../src/report/csv.js';
import type { Report } from '../../src/report/model.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { cliErrorCode, configFrom, runCli } from '../helpers.js';
import { storesUnderTest } from '../store/stores.js';
import { PERIOD, recordCleanLog, recordSeededViolations, REPORT_CONFIG } from './seeded-log.js';

const config = configFrom(REPORT_CONFIG);
const scope = { ...PERIOD, campaign: null };
const violations = (r: Report) => Object.fromEntries(r.proofs.map((p) => [p.id, p.violations]));

describe.each(storesUnderTest())('report proofs on the $name store', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(async () => { await store.close(); await kind.cleanup(); });

  it('a clean log: every proof counts 0, the exempted call is shown as such', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 0, 'calling-window': 0, 'attempt-limit': 0, refusal: 0, consent: 0, npv: 0 });
    const window = r.proofs.find((p) => p.id === 'calling-window')!;
    expect(window.exempted).toBe(1);
    expect(window.exemptedAttempts[0]).toMatchObject({ consumerTime: 'Wed 2026-11-18 20:30 (Indian/Reunion)', area: 'RE' });
  });

  it('a seeded log: each proof counts exactly its seeded violation and lists that attempt', async () => {
    await recordCleanLog(store);
    const seeded = await recordSeededViolations(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 1, 'calling-window': 1, 'attempt-limit': 1, refusal: 1, consent: 1, npv: 1 });
    const offending = Object.fromEntries(r.proofs.map((p) => [p.id, p.offending.map((a) => a.id)]));
    expect(offending).toEqual({
      'caller-id': [seeded.mobileCallerId], 'calling-window': [seeded.reunionAt2005], 'attempt-limit': [seeded.fifthAttempt],
      refusal: [seeded.afterRefusal], consent: [seeded.noConsent], npv: [seeded.notNpv],
    });
    const window = r.proofs.find((p) => p.id === 'calling-window')!;
    expect(window.offending[0]).toMatchObject({ consumerTime: 'Wed 2026-11-18 20:05 (Indian/Reunion)', callee: '+2622••••••58', callerId: '+33947800001' });
  });

  it('one campaign: the limit still counts every prospecting campaign, offenders are the campaign\'s', async () => {
    await recordCleanLog(store);
    await recordSeededViolations(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope: { ...scope, campaign: 'agents' }, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 1, 'calling-window': 0, 'attempt-limit': 0, refusal: 0, consent: 0, npv: 0 });
    expect(r.summary.byCampaign.map((c) => c.campaign)).toEqual(['agents']);
  });

  it('summary: decisions by action, campaign and day, blocks by reason, outcomes', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    const s = r.summary;
    expect({ decided: s.decided, allowed: s.allowed, rewritten: s.rewritten, blocked: s.blocked }).toEqual({ decided: 16, allowed: 1, rewritten: 12, blocked: 3 });
    expect(s.byCampaign).toEqual([
      { campaign: 'agents', allow: 1, rewrite: 0, block: 0 },
      { campaign: 'customer', allow: 0, rewrite: 1, block: 0 },
      { campaign: 'prospecting', allow: 0, rewrite: 10, block: 3 },
      { campaign: 'renewals', allow: 0, rewrite: 1, block: 0 },
    ]);
    expect(s.byDay.find((d) => d.day === '2026-11-20')).toEqual({ day: '2026-11-20', allow: 0, rewrite: 1, block: 1 });
    expect(s.blocksByReason.map((b) => [b.code, b.count])).toEqual(expect.arrayContaining([['outside-calling-hours', 1], ['attempt-limit', 1], ['no-consent', 1], ['do-not-call', 1]]));
    expect(s.blocksByReason.find((b) => b.code === 'attempt-limit')!.source).toMatch(/D\.223-9/);
    expect(s.outcomes).toMatchObject({ attempts: 13, withOutcome: 4, answered: 2, answerRate: 0.5, meanAnsweredSeconds: 60 });
  });

  it('caller IDs: presentations, areas reached and the busiest day against the cap; consumers masked, ours shown', async () => {
    await recordCleanLog(store);
    await recordSeededViolations(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    const reunion = r.callerIds.find((c) => c.number === '+33947800001')!;
    expect(reunion).toMatchObject({ owned: true, campaigns: ['prospecting'], count: 4, dailyCap: 3, busiestDay: '2026-11-18', busiestDayCount: 3 });
    expect(reunion.areas).toEqual([{ area: 'RE', count: 3 }, { area: 'zone 1', count: 1 }]);
    const mobile = r.callerIds.find((c) => !c.owned)!;
    expect(mobile.number).toBe('+3361•••••78');
    const unmasked = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: true });
    expect(unmasked.callerIds.find((c) => !c.owned)!.number).toBe('+33612345678');
  });

  it('heatmap: counted prospecting attempts by weekday and hour in the consumer\'s time, the legal window from the rules', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(r.heatmap.counts[2]![19]).toBe(1); // Wednesday 19:59 in Réunion
    expect(r.heatmap.counts[2]![20]).toBe(1); // Wednesday 20:30 in Réunion, exempted
    expect(r.heatmap.legal[0]!.map((ok, h) => (ok ? h : -1)).filter((h) => h >= 0)).toEqual([10, 11, 12, 14, 15, 16, 17, 18, 19]);
    expect(r.heatmap.legal[5]!.some(Boolean)).toBe(false);
  });

  it('a Spanish site: no NPV proof, no French window drawn on its heatmap; French consumers\' proofs still cite French law', async () => {
    await recordCleanLog(store);
    const spanish = configFrom(`country: ES\nsiteTimeZone: Europe/Madrid\n${REPORT_CONFIG}`);
    const r = await buildReport(store.reportQueries(), spanish, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(r.proofs.find((p) => p.id === 'npv')!.applicable).toBe(false);
    expect(r.heatmap.legal.flat().every(Boolean)).toBe(true); // Spain's consumer hours are not modelled
    expect(r.proofs.find((p) => p.id === 'refusal')!.source).toMatch(/D\.223-9/);
  });
});

describe('cidgate report (CLI)', () => {
  let dir: string;
  let db: string;
  let cfg: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cidgate-report-'));
    db = join(dir, 'report.db');
    cfg = join(dir, 'cidgate.yaml');
    writeFileSync(cfg, REPORT_CONFIG);
    const store = new SqliteStore(db);
    await recordCleanLog(store);
    await recordSeededViolations(store);
    await store.close();
  });

  const cli = (...args: string[]) => runCli(['report', '--config', cfg, '--db', db, '--at', '2027-01-02T00:00:00Z', ...args]);

  it('--format json: the report, field by field', async () => {
    const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.period).toEqual({ from: '2026-10-31T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z', campaign: null, timeZone: 'Europe/Paris' });
    expect(report.generatedAt).toBe('2027-01-02T00:00:00.000Z');
    expect(report.masked).toBe(true);
    const limit = report.proofs.find((p) => p.id === 'attempt-limit')!;
    expect(limit).toEqual({
      id: 'attempt-limit', title: 'No consumer above 4 counted attempts in any rolling 30 days (all prospecting campaigns)',
      source: expect.stringMatching(/^Code de la consommation art\. D\.223-9/), since: '2023-02-28T23:00:00.000Z', applicable: true,
      violations: 1, exempted: 0, exemptedAttempts: [],
      offending: [{
        id: limit.offending[0]!.id, at: '2026-11-16T10:00:00.000Z', consumerTime: 'Mon 2026-11-16 11:00 (Europe/Paris)', campaign: 'prospecting',
        callee: '+3314•••••05', callerId: '+33162000001', area: 'zone 1', consentRef: 'web-form-1',
      }],
    });
  });

  it('--format csv: one table, field by field', async () => {
    const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'csv');
    expect(r.code, r.err).toBe(0);
    const [header, ...rows] = parseCsv(r.out);
    expect(header).toEqual([...REPORT_CSV_COLUMNS]);
    const find = (section: string, key: string, detail = '') => rows.find((x) => x[0] === section && x[1] === key && x[2] === detail);
    expect(find('summary', 'decided')).toEqual(['summary', 'decided', '', '26', '', '', '', '', '', '', '', '', '']);
    expect(find('proof', 'consent', 'violations')!.slice(0, 4)).toEqual(['proof', 'consent', 'violations', '1']);
    const offending = rows.filter((x) => x[0] === 'offending' && x[1] === 'calling-window');
    expect(offending).toHaveLength(1);
    expect(offending[0]!.slice(5)).toEqual(['2026-11-18T16:05:00.000Z', 'Wed 2026-11-18 20:05 (Indian/Reunion)', 'prospecting', '+2622••••••58', '+33947800001', 'RE', 'web-form-1', '']);
    expect(find('exempted', 'calling-window')).toBeDefined();
    expect(find('caller-id-day', '+33947800001', '2026-11-18')!.slice(3)).toEqual(['3', '', '', '', '', '', '', '', '', 'cap 3']);
  });

  it('--format html: self-contained (nothing fetched, no script), charts as SVG, --unmasked logged', async () => {
    const out = join(dir, 'report.html');
    const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--out', out, '--unmasked');
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//);
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).toContain('+262262123458');
    expect(html).toContain('@media print');
    expect(JSON.parse(r.err.trim())).toMatchObject({ event: 'report-unmasked', from: '2026-10-31T23:00:00.000Z' });
  });

  it('bad options: one-line errors, and no database is created', async () => {
    // BAD_OPTION, naming the option to fix (the template's first value).
    const refused = async (...args: string[]) => { const r = await cli(...args); return [r.code, cliErrorCode(r), /^cidgate: [A-Z_]+: (--[a-z-]+):/.exec(r.err)?.[1]]; };
    expect(await refused('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'docx')).toEqual([2, 'BAD_OPTION', '--format']);
    expect(await refused('--from', '2026-02-30', '--to', '2026-12-31')).toEqual([2, 'BAD_OPTION', '--from']);
    expect(await refused('--from', '2026-12-01', '--to', '2026-11-01')).toEqual([2, 'BAD_OPTION', '--to']);
    expect(await refused('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'pdf')).toEqual([2, 'BAD_OPTION', '--out']);
    expect(await refused('--from', '2026-11-01', '--to', '2026-12-31', '--campaign', 'nope')).toEqual([2, 'UNKNOWN_CAMPAIGN', undefined]);
    const missing = (await runCli(['report', '--from', '2026-11-01', '--to', '2026-11-30', '--db', join(dir, 'typo.db')])).code;
    expect(missing).toBe(2);
  });

  it('--format pdf without Chromium says so', async () => {
    process.env.CIDGATE_CHROMIUM = join(dir, 'no-chromium');
    try {
      const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'pdf', '--out', join(dir, 'r.pdf'));
      expect([r.code, cliErrorCode(r)]).toEqual([2, 'CHROMIUM_NOT_FOUND']);
      expect(r.err).toContain(join(dir, 'no-chromium')); // where it looked
    } finally {
      delete process.env.CIDGATE_CHROMIUM;
    }
  });
});
