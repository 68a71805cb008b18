import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/cli/csv.js';
import { fixedClock } from '../../src/clock.js';
import { buildReport } from '../../src/report/build.js';
import { REPORT_CSV_COLUMNS } from '../../src/report/csv.js';
import type { OffendingAttempt, Report } from '../../src/report/model.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { cliErrorCode, configFrom, runCli } from '../helpers.js';
import { storesUnderTest } from '../store/stores.js';
import { PERIOD, record, recordCleanLog, recordSeededViolations, REPORT_CONFIG } from './seeded-log.js';

/** The proofs the seeded log breaks no rule of: it has no capped number past its cap and no campaign gap. */
const NONE_SEEDED = new Set(['daily-cap', 'min-gap']);
const config = configFrom(REPORT_CONFIG);
const scope = { ...PERIOD, campaign: null };
const DAILY_CAP_TITLE = 'No capped pool number presented more times in a site-local day than its campaign\'s dailyCapPerNumber (all campaigns together)';
const violations = (r: Report) => Object.fromEntries(r.proofs.map((p) => [p.id, p.violations]));

describe.each(storesUnderTest())('report proofs on the $name store', (kind) => {
  let store: Store;
  beforeEach(async () => { store = await kind.open(); });
  afterEach(async () => { await store.close(); await kind.cleanup(); });

  it('a clean log: every proof counts 0, the exempted call is shown as such', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 0, 'calling-window': 0, 'attempt-limit': 0, refusal: 0, consent: 0, npv: 0, 'daily-cap': 0, 'min-gap': 0 });
    const window = r.proofs.find((p) => p.id === 'calling-window')!;
    expect(window.exempted).toBe(1);
    expect(window.exemptedAttempts[0]).toMatchObject({ consumerTime: 'Wed 2026-11-18 20:30 (Indian/Reunion)', area: 'RE' });
  });

  it('consent only asserted (the dialer\'s word, a consent recorded without a source) is counted and listed apart, not as a violation', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    const consent = r.proofs.find((p) => p.id === 'consent')!;
    expect(consent.violations).toBe(0);
    expect(consent.asserted).toBe(2); // the existing-contract call needed no consent: not listed
    expect(consent.assertedAttempts.map((a) => [a.consumerTime, a.callee, a.consentRef])).toEqual([
      ['Wed 2026-11-25 11:00 (Europe/Paris)', '+3314•••••20', 'asserted-by-dialer'],
      ['Thu 2026-11-26 11:00 (Europe/Paris)', '+3314•••••21', 'on-record'],
    ]);
    expect(r.proofs.filter((p) => p.id !== 'consent').map((p) => p.asserted)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('offending attempts listed per proof: 0 lists none, N the first N, Infinity all; every one is counted', async () => {
    await recordCleanLog(store);
    const seeded = await recordSeededViolations(store);
    const more = [
      await record(store, '2026-11-19T11:10:00+01:00', { to: '0145000023', consentRef: null }),
      await record(store, '2026-11-19T11:20:00+01:00', { to: '0145000024', consentRef: null }),
    ];
    const consentProof = async (offendingLimit: number) => {
      const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false, offendingLimit });
      const p = r.proofs.find((x) => x.id === 'consent')!;
      return { violations: p.violations, listed: p.offending.map((a) => a.id), window: r.proofs.find((x) => x.id === 'calling-window')!.offending.length };
    };
    expect(await consentProof(0)).toEqual({ violations: 3, listed: [], window: 0 });
    expect(await consentProof(2)).toEqual({ violations: 3, listed: [seeded.noConsent, more[0]], window: 1 });
    expect(await consentProof(Infinity)).toEqual({ violations: 3, listed: [seeded.noConsent, ...more], window: 1 });
  });

  it('a seeded log: each proof counts exactly its seeded violation and lists that attempt', async () => {
    await recordCleanLog(store);
    const seeded = await recordSeededViolations(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 1, 'calling-window': 1, 'attempt-limit': 1, refusal: 1, consent: 1, npv: 1, 'daily-cap': 0, 'min-gap': 0 });
    const offending = Object.fromEntries(r.proofs.map((p) => [p.id, p.offending.map((a) => a.id)]));
    expect(offending).toEqual({
      'caller-id': [seeded.mobileCallerId], 'calling-window': [seeded.reunionAt2005], 'attempt-limit': [seeded.fifthAttempt],
      refusal: [seeded.afterRefusal], consent: [seeded.noConsent], npv: [seeded.notNpv], 'daily-cap': [], 'min-gap': [],
    });
    const window = r.proofs.find((p) => p.id === 'calling-window')!;
    expect(window.offending[0]).toMatchObject({ consumerTime: 'Wed 2026-11-18 20:05 (Indian/Reunion)', callee: '+2622••••••58', callerId: '+33947800001' });
  });

  it('one campaign: the limit still counts every prospecting campaign, offenders are the campaign\'s', async () => {
    await recordCleanLog(store);
    await recordSeededViolations(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope: { ...scope, campaign: 'agents' }, unmasked: false });
    expect(violations(r)).toEqual({ 'caller-id': 1, 'calling-window': 0, 'attempt-limit': 0, refusal: 0, consent: 0, npv: 0, 'daily-cap': 0, 'min-gap': 0 });
    expect(r.summary.byCampaign.map((c) => c.campaign)).toEqual(['agents']);
  });

  it('summary: decisions by action, campaign and day, blocks by reason, outcomes', async () => {
    await recordCleanLog(store);
    const r = await buildReport(store.reportQueries(), config, fixedClock(PERIOD.to), { scope, unmasked: false });
    const s = r.summary;
    expect({ decided: s.decided, allowed: s.allowed, rewritten: s.rewritten, blocked: s.blocked }).toEqual({ decided: 19, allowed: 1, rewritten: 15, blocked: 3 });
    expect(s.byCampaign).toEqual([
      { campaign: 'agents', allow: 1, rewrite: 0, block: 0 },
      { campaign: 'customer', allow: 0, rewrite: 1, block: 0 },
      { campaign: 'prospecting', allow: 0, rewrite: 12, block: 3 },
      { campaign: 'renewals', allow: 0, rewrite: 2, block: 0 },
    ]);
    expect(s.byDay.find((d) => d.day === '2026-11-20')).toEqual({ day: '2026-11-20', allow: 0, rewrite: 1, block: 1 });
    expect(s.blocksByReason.map((b) => [b.code, b.count])).toEqual(expect.arrayContaining([['outside-calling-hours', 1], ['attempt-limit', 1], ['no-consent', 1], ['do-not-call', 1]]));
    expect(s.blocksByReason.find((b) => b.code === 'attempt-limit')!.source).toMatch(/D\.223-9/);
    expect(s.outcomes).toMatchObject({ attempts: 16, withOutcome: 4, answered: 2, answerRate: 0.5, meanAnsweredSeconds: 60 });
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

  it('a Spanish site: no NPV proof, Spain\'s window drawn on its heatmap (Mon–Fri 09–21); French consumers\' proofs still cite French law', async () => {
    await recordCleanLog(store);
    const spanish = configFrom(`country: ES\nsiteTimeZone: Europe/Madrid\n${REPORT_CONFIG}`);
    const r = await buildReport(store.reportQueries(), spanish, fixedClock(PERIOD.to), { scope, unmasked: false });
    expect(r.proofs.find((p) => p.id === 'npv')!.applicable).toBe(false);
    const spainWindow = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => d < 5 && h >= 9 && h < 21));
    expect(r.heatmap.legal).toEqual(spainWindow);
    expect(r.proofs.find((p) => p.id === 'refusal')!.source).toMatch(/D\.223-9/);
  });
});

const source = (start: string) => expect.stringMatching(new RegExp(`^${start.replace(/[.()]/g, '\\$&')}`)) as unknown as string;
const attempt = (id: number, at: string, consumerTime: string, campaign: string, callee: string, callerId: string, area: string, consentRef: string | null): OffendingAttempt =>
  ({ id, at, consumerTime, campaign, callee, callerId, area, consentRef, lead: null });
const WINDOW_TITLE = 'Every prospecting attempt inside the legal calling hours in the consumer\'s time zone (the rules\' sources state them), not on a public holiday there';

/**
 * The seeded fixture's report (recordCleanLog, then recordSeededViolations, November–December),
 * worked out from the fixture by hand. Attempt ids are the order of recording (the clean log's
 * 8th call is the exempted one, its 17th and 18th those on asserted consent; the seeded ones follow from 21).
 */
const EXPECTED = {
  campaigns: [['agents', 2, 0, 0], ['customer', 0, 1, 0], ['prospecting', 0, 21, 3], ['renewals', 0, 2, 0]] as [string, number, number, number][],
  days: [
    ['2026-11-02', 0, 2, 0], ['2026-11-03', 0, 2, 0], ['2026-11-04', 0, 1, 0], ['2026-11-05', 0, 1, 0], ['2026-11-06', 0, 0, 1],
    ['2026-11-09', 0, 1, 0], ['2026-11-10', 0, 2, 0], ['2026-11-12', 0, 1, 0], ['2026-11-13', 0, 1, 0], ['2026-11-16', 0, 1, 0],
    ['2026-11-17', 1, 0, 0], ['2026-11-18', 0, 3, 0], ['2026-11-19', 1, 3, 0], ['2026-11-20', 0, 1, 1], ['2026-11-24', 0, 0, 1],
    ['2026-11-25', 0, 1, 0], ['2026-11-26', 0, 2, 0], ['2026-12-02', 0, 2, 0],
  ] as [string, number, number, number][],
  /** Code, legal source, meaning: one block each, the most frequent first (ties in the database's order). */
  blockReasons: [
    ['attempt-limit', source('Code de la consommation art. D.223-9'), 'the consumer already got the most attempts allowed in the window'],
    ['no-consent', source('Loi n° 2025-594'), 'no prior consent of the consumer on record or asserted'],
    ['do-not-call', source('Code de la consommation L.223-1'), 'the number is on the do-not-call list'],
    ['outside-calling-hours', source('Code de la consommation art. D.223-9'), 'outside the hours prospecting calls are allowed in the consumer\'s time zone'],
  ] as [string, string, string][],
  /** Id, title, legal source, in force since. */
  proofs: [
    ['caller-id', 'No mobile number and no number we do not own presented', source('ARCEP décision n° 2022-1583'), '2022-12-31T23:00:00.000Z'],
    ['calling-window', WINDOW_TITLE, source('Code de la consommation art. D.223-9'), '2023-02-28T23:00:00.000Z'],
    ['attempt-limit', 'No consumer above 4 counted attempts in any rolling 30 days (all prospecting campaigns)', source('Code de la consommation art. D.223-9'), '2023-02-28T23:00:00.000Z'],
    ['refusal', 'No attempt within 60 days after the consumer refused', source('Code de la consommation art. D.223-9'), '2023-02-28T23:00:00.000Z'],
    ['consent', 'Every prospecting attempt relied on a recorded consent (or the existing-contract basis)', source('Loi n° 2025-594'), '2026-08-10T22:00:00.000Z'],
    ['npv', 'Automated campaigns presented verified multi-purpose numbers (NPV) only', source('ARCEP décision n° 2022-1583'), '2022-12-31T23:00:00.000Z'],
    ['daily-cap', DAILY_CAP_TITLE, 'Campaign setting dailyCapPerNumber (the carriers\' and the site\'s own limit on a number\'s use)', '1970-01-01T00:00:00.000Z'],
    ['min-gap', 'No counted attempt closer to the consumer\'s previous one than its campaign\'s minGapMinutes', 'Campaign setting (stricter than the law)', '1970-01-01T00:00:00.000Z'],
  ] as [string, string, string, string][],
  offending: {
    'caller-id': attempt(21, '2026-11-17T10:00:00.000Z', 'Tue 2026-11-17 11:00 (Europe/Paris)', 'agents', '+3314•••••01', '+3361•••••78', 'zone 1', 'web-form-1'),
    'calling-window': attempt(22, '2026-11-18T16:05:00.000Z', 'Wed 2026-11-18 20:05 (Indian/Reunion)', 'prospecting', '+2622••••••58', '+33947800001', 'RE', 'web-form-1'),
    'attempt-limit': attempt(27, '2026-11-16T10:00:00.000Z', 'Mon 2026-11-16 11:00 (Europe/Paris)', 'prospecting', '+3314•••••05', '+33162000001', 'zone 1', 'web-form-1'),
    refusal: attempt(28, '2026-12-02T11:00:00.000Z', 'Wed 2026-12-02 12:00 (Europe/Paris)', 'prospecting', '+3314•••••07', '+33162000001', 'zone 1', 'web-form-1'),
    consent: attempt(29, '2026-11-19T10:00:00.000Z', 'Thu 2026-11-19 11:00 (Europe/Paris)', 'prospecting', '+3314•••••09', '+33162000001', 'zone 1', null),
    npv: attempt(30, '2026-11-19T10:30:00.000Z', 'Thu 2026-11-19 11:30 (Europe/Paris)', 'prospecting', '+3314•••••19', '+33145000000', 'zone 1', 'web-form-1'),
  } as Record<string, OffendingAttempt>,
  exempted: attempt(8, '2026-11-18T16:30:00.000Z', 'Wed 2026-11-18 20:30 (Indian/Reunion)', 'prospecting', '+2622••••••57', '+33947800001', 'RE', 'web-form-1'),
  asserted: [
    attempt(17, '2026-11-25T10:00:00.000Z', 'Wed 2026-11-25 11:00 (Europe/Paris)', 'prospecting', '+3314•••••20', '+33162000001', 'zone 1', 'asserted-by-dialer'),
    attempt(18, '2026-11-26T10:00:00.000Z', 'Thu 2026-11-26 11:00 (Europe/Paris)', 'prospecting', '+3314•••••21', '+33162000001', 'zone 1', 'on-record'),
  ],
  /** Number, owned, campaign, presentations, areas reached, busiest day and its count, daily cap: the most presented first. */
  callerIds: [
    ['+33162000001', true, 'prospecting', 16, [['zone 1', 16]], '2026-11-03', 2, 3],
    ['+33947800001', true, 'prospecting', 4, [['RE', 3], ['zone 1', 1]], '2026-11-18', 3, 3],
    ['+33163000001', true, 'renewals', 2, [['zone 1', 2]], '2026-11-19', 1, null],
    ['+33145000000', true, 'prospecting', 1, [['zone 1', 1]], '2026-11-19', 1, null],
    ['+33199000001', true, 'agents', 1, [['zone 1', 1]], '2026-11-19', 1, null],
    ['+33261910001', true, 'customer', 1, [['zone 1', 1]], '2026-11-20', 1, null],
    ['+3361•••••78', false, 'agents', 1, [['zone 1', 1]], '2026-11-17', 1, null],
  ] as [string, boolean, string, number, [string, number][], string, number, number | null][],
};

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
    expect(report.generatedAt).toBe('2027-01-02T00:00:00.000Z');
    expect(report.period).toEqual({ from: '2026-10-31T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z', campaign: null, timeZone: 'Europe/Paris' });
    expect(report.masked).toBe(true);
    expect(report.summary).toEqual({
      decided: 29, allowed: 2, rewritten: 24, blocked: 3,
      byCampaign: EXPECTED.campaigns.map(([campaign, allow, rewrite, block]) => ({ campaign, allow, rewrite, block })),
      byDay: EXPECTED.days.map(([day, allow, rewrite, block]) => ({ day, allow, rewrite, block })),
      blocksByReason: EXPECTED.blockReasons.map(([code, source, text]) => ({ code, text, source, count: 1 })),
      outcomes: {
        attempts: 26, withOutcome: 4, answered: 2, answerRate: 0.5, meanAnsweredSeconds: 60,
        byStatus: [{ status: 'answered', count: 2 }, { status: 'no-answer', count: 2 }],
      },
    });
    expect(report.proofs).toEqual(EXPECTED.proofs.map(([id, title, source, since]) => ({
      id, title, source, since, applicable: true, violations: NONE_SEEDED.has(id) ? 0 : 1, offending: NONE_SEEDED.has(id) ? [] : [EXPECTED.offending[id]!],
      exempted: id === 'calling-window' ? 1 : 0, exemptedAttempts: id === 'calling-window' ? [EXPECTED.exempted] : [],
      asserted: id === 'consent' ? 2 : 0, assertedAttempts: id === 'consent' ? EXPECTED.asserted : [],
    })));
    expect(report.callerIds).toEqual(EXPECTED.callerIds.map(([number, owned, campaign, count, areas, busiestDay, busiestDayCount, dailyCap]) => ({
      number, owned, campaigns: [campaign], count, areas: areas.map(([area, n]) => ({ area, count: n })), busiestDay, busiestDayCount, dailyCap,
    })));
    // Non-empty cells only: [weekday (0 = Monday), hour, counted prospecting attempts] in the consumer's time.
    const cells = report.heatmap.counts.flatMap((hours, day) => hours.map((n, hour) => [day, hour, n]).filter(([, , n]) => n! > 0));
    expect(cells).toEqual([[0, 11, 3], [0, 15, 1], [1, 11, 3], [1, 12, 2], [2, 11, 3], [2, 12, 1], [2, 19, 1], [2, 20, 2], [3, 10, 1], [3, 11, 6], [3, 12, 1], [4, 11, 1]]);
  });

  it('--format csv: every section, row by row', async () => {
    const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'csv');
    expect(r.code, r.err).toBe(0);
    const [header, ...rows] = parseCsv(r.out);
    expect(header).toEqual([...REPORT_CSV_COLUMNS]);
    const count = (section: string, key: string, detail: unknown, n: number | string, text: unknown = '') =>
      [section, key, detail, String(n), '', '', '', '', '', '', '', '', '', text];
    const attempt = (section: string, proof: string, a: OffendingAttempt) =>
      [section, proof, '', '', String(a.id), a.at, a.consumerTime, a.campaign, a.callee, a.callerId, a.area, a.consentRef ?? '', a.lead ?? '', ''];
    const actions = ['allow', 'rewrite', 'block'];
    expect(rows).toEqual([
      count('summary', 'decided', '', 29), count('summary', 'allowed', '', 2), count('summary', 'rewritten', '', 24), count('summary', 'blocked', '', 3),
      ...EXPECTED.campaigns.flatMap(([c, ...n]) => actions.map((a, i) => count('campaign', c, a, n[i]!))),
      ...EXPECTED.days.flatMap(([d, ...n]) => actions.map((a, i) => count('day', d, a, n[i]!))),
      ...EXPECTED.blockReasons.map(([code, source, text]) => count('block-reason', code, source, 1, text)),
      count('outcome', 'attempts', '', 26), count('outcome', 'answered', '', 2), count('outcome', 'no-answer', '', 2),
      count('outcome', 'answer-rate', '0.5000', ''), count('outcome', 'mean-answered-seconds', '60.0', ''),
      ...EXPECTED.proofs.flatMap(([id, t]) => [
        count('proof', id, 'violations', NONE_SEEDED.has(id) ? 0 : 1, t),
        ...(id === 'calling-window' ? [count('proof', id, 'exempted', 1, t)] : []),
        ...(id === 'consent' ? [count('proof', id, 'asserted', 2, t)] : []),
      ]),
      ...EXPECTED.proofs.filter(([id]) => !NONE_SEEDED.has(id)).flatMap(([id]) => [
        attempt('offending', id, EXPECTED.offending[id]!),
        ...(id === 'calling-window' ? [attempt('exempted', id, EXPECTED.exempted)] : []),
        ...(id === 'consent' ? EXPECTED.asserted.map((a) => attempt('asserted', id, a)) : []),
      ]),
      ...EXPECTED.callerIds.flatMap(([number, , campaign, n, areas, day, dayCount, cap]) => [
        count('caller-id', number, 'total', n, campaign),
        ...areas.map(([area, k]) => count('caller-id-area', number, area, k)),
        count('caller-id-day', number, day, dayCount, cap === null ? 'no cap' : `cap ${cap}`),
      ]),
    ]);
  });

  it('--format html: self-contained (nothing fetched, no script), charts as SVG, --unmasked logged', async () => {
    const out = join(dir, 'report.html');
    const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--out', out, '--unmasked');
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//);
    expect(html.match(/<svg/g)).toHaveLength(4);
    // For people, the site's clock: no bare UTC instant in the header.
    expect(html).toMatch(/\(from Sun 1 Nov 2026 00:00 \(Europe\/Paris\) to Fri 1 Jan 2027 00:00 \(Europe\/Paris\)\)\. Generated \w{3} \d+ \w{3} \d{4} \d\d:\d\d \(Europe\/Paris\)/);
    expect(html).toContain('+262262123458');
    expect(html).toContain('@media print');
    // Consent only asserted: counted in the proofs' table and listed under the consent proof, apart from its violation.
    expect(html).toMatch(/<tr data-proof="consent">.*<td class="n" data-field="asserted">2<\/td><\/tr>/);
    const asserted = /<div class="proof" data-proof="consent" data-violations="1" data-exempted="0" data-asserted="2">[\s\S]*?<div class="asserted">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect([...asserted.matchAll(/<tr data-attempt="(\d+)">.*?<td>(asserted-by-dialer|on-record)<\/td><td>—<\/td><\/tr>/g)].map((m) => [m[1], m[2]])).toEqual([['17', 'asserted-by-dialer'], ['18', 'on-record']]);
    expect(JSON.parse(r.err.trim())).toMatchObject({ event: 'report-unmasked', from: '2026-10-31T23:00:00.000Z' });
  });

  it('--offending: how many offending attempts each proof lists (default 100, 0 none, all every one), all counted', async () => {
    const listed = async (...args: string[]) => {
      const r = await cli('--from', '2026-11-01', '--to', '2026-12-31', '--format', 'json', ...args);
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as Report).proofs.map((p) => [p.violations, p.offending.length]);
    };
    // The seeded log holds no number past its daily cap and no campaign gap (see their own tests): the last two proofs count 0.
    expect(await listed()).toEqual([...Array(6).fill([1, 1]), [0, 0], [0, 0]]);
    expect(await listed('--offending', '0')).toEqual([...Array(6).fill([1, 0]), [0, 0], [0, 0]]);
    expect(await listed('--offending', 'all')).toEqual([...Array(6).fill([1, 1]), [0, 0], [0, 0]]);
    for (const bad of ['-1', '1.5', 'ten', '']) {
      expect((await cli('--from', '2026-11-01', '--to', '2026-12-31', '--offending', bad)).err).toMatch(/--offending: ".*" is not a whole number \(0 or more\) or all/);
    }
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
