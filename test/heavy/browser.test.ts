import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/http/dashboard-view.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { Report } from '../../src/report/model.js';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/report/pdf.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { runCli, until } from '../helpers.js';
import { post, startServe, type Served } from '../http/serve-process.js';
import { recordCleanLog, recordSeededViolations, REPORT_CONFIG, type Seeded } from '../report/seeded-log.js';
import { describeIfAvailable } from '../requires.js';

/** The README's screenshots are rewritten only when asked (`npm run screenshots`); a test run keeps its own. */
const UPDATE_DOCS = process.env.CIDGATE_UPDATE_SCREENSHOTS === '1';
const MONDAY_11H = '2026-11-30T11:00:00+01:00';

/** Every chart on the page drew something: bars or cells with a real size. */
async function drawnMarks(page: Page, selector: string): Promise<number> {
  return page.locator(`${selector} rect`).evaluateAll((rects) => rects.filter((r) => {
    const box = r.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  }).length);
}

describeIfAvailable('Chromium', existsSync(chromiumPath()), 'apt-get install chromium (or set CIDGATE_CHROMIUM)')('the report and the dashboard in a real browser', () => {
  let dir: string;
  let context: BrowserContext;
  let seeded: Seeded;
  const shots = () => (UPDATE_DOCS ? join(PACKAGE_ROOT, 'docs') : dir);
  /** `cidgate report` over the seeded log, as an officer runs it. */
  const report = (...args: string[]) => runCli(['report', '--config', join(dir, 'cidgate.yaml'), '--db', join(dir, 'report.db'),
    '--from', '2026-11-01', '--to', '2026-12-31', '--at', '2027-01-02T00:00:00Z', ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cidgate-browser-'));
    writeFileSync(join(dir, 'cidgate.yaml'), REPORT_CONFIG);
    const store = new SqliteStore(join(dir, 'report.db'));
    await recordCleanLog(store);
    seeded = await recordSeededViolations(store);
    await store.close();
    // A fresh profile, never a browser download: Debian's Chromium, headless, nothing phoned home.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true, viewport: { width: 1100, height: 1400 },
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the HTML report (cidgate report --format html) shows the seeded violations, the summary and four drawn charts', async () => {
    const file = join(dir, 'report.html');
    const html = await report('--format', 'html', '--out', file);
    expect(html.code, html.err).toBe(0);
    // What the page must show: the same report as JSON.
    const json = await report('--format', 'json');
    expect(json.code, json.err).toBe(0);
    const expected = JSON.parse(json.out) as Report;

    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    const shown = await page.locator('table.proof-summary tr[data-proof]').evaluateAll((rows) => rows.map((r) =>
      [r.getAttribute('data-proof'), r.querySelector('[data-field="violations"]')!.textContent]));
    // The seeded log breaks each rule once, no pool number's daily cap and no campaign gap (test/report/report.test.ts).
    expect(shown).toEqual(expected.proofs.map((p) => [p.id, p.id === 'daily-cap' || p.id === 'min-gap' ? '0' : '1']));
    expect(await page.locator('[data-proof="refusal"] tr[data-attempt]').getAttribute('data-attempt')).toBe(String(seeded.afterRefusal));
    const s = expected.summary;
    for (const [field, value] of [['decided', s.decided], ['allowed', s.allowed], ['rewritten', s.rewritten], ['blocked', s.blocked]] as const) {
      expect(await page.locator(`.card [data-field="${field}"]`).textContent()).toBe(value.toLocaleString('en'));
    }
    expect(await page.locator('svg.chart').count()).toBe(4);
    for (const chart of await page.locator('svg.chart').all()) {
      expect((await chart.boundingBox())!.height).toBeGreaterThan(50);
      expect(await chart.locator('rect').count()).toBeGreaterThan(0);
    }
    expect(await drawnMarks(page, '#summary svg.chart')).toBeGreaterThan(s.byDay.length - 1);
    expect(await page.locator('#hours svg rect.cell.outside').count()).toBeGreaterThan(0);
    // Consumers' numbers are masked on screen.
    expect(await page.locator('body').textContent()).not.toMatch(/\+262\d{9}/);
    await page.screenshot({ path: join(shots(), 'report.png') });
    expect(statSync(join(shots(), 'report.png')).size).toBeLessThan(400_000);
    await page.close();
  });

  it('cidgate report --format pdf prints the report through Chromium: a valid PDF of several A4 pages', async () => {
    const file = join(dir, 'report.pdf');
    const r = await report('--format', 'pdf', '--out', file);
    expect(r.code, r.err).toBe(0);
    const pdf = readFileSync(file);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf.length).toBeGreaterThan(20_000);
    expect(text.match(/\/Type\s*\/Page\b/g)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/\/MediaBox\s*\[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/); // A4 in points
  }, 60_000);

  describeIfAvailable('the built service', existsSync(join(PACKAGE_ROOT, 'dist', 'src', 'http', 'dashboard-client.js')), 'npm run build')('the live dashboard', () => {
    let s: Served;
    beforeAll(async () => {
      s = await startServe({ overrides: { campaigns: { customer: { dailyCapPerNumber: 10 } } } });
    }, 60_000);
    afterAll(async () => { await s?.stop(); }, 30_000);

    const decide = (body: Record<string, unknown>) => post(`${s.url}/v1/decisions`, { from: '0612345678', ...body });

    it('shows the decisions made, the blocks by reason, pool use against the cap, readiness, and updates live', async () => {
      // Service calls now (pool use is today's), prospecting ones on a Monday (the decision's own time).
      for (const to of ['0145670001', '0145670002', '0145670003']) expect((await decide({ campaign: 'customer', to })).body.action).toBe('rewrite');
      await decide({ campaign: 'prospecting', to: '0145670004', consent: true, at: MONDAY_11H });
      await decide({ campaign: 'prospecting', to: '0145670005', consent: true, at: MONDAY_11H });
      expect((await decide({ campaign: 'prospecting', to: '0145670006', consent: true, at: '2026-11-30T21:00:00+01:00' })).body.reasonCodes).toBe('outside-calling-hours');
      // Now, without consent: blocked whatever the hour (and maybe for the hour too).
      expect((await decide({ campaign: 'prospecting', to: '0145670007' })).body.reasonCodes).toContain('no-consent');

      const page = await context.newPage();
      await page.goto(s.url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Live'));
      const field = (name: string) => page.locator(`#live [data-field="${name}"]`).textContent();
      // The last hour counts calls by their instant: the four decided as of Monday are listed, not counted.
      expect([await field('decided'), await field('allow'), await field('rewrite'), await field('block')]).toEqual(['4', '0', '3', '1']);
      const reasons = await page.locator('#reasons tr[data-reason]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-reason'), r.lastElementChild!.textContent]));
      expect(reasons).toContainEqual(['no-consent', '1']);
      expect(await page.locator('#pool tr[data-number="+33199000001"][data-campaign="customer"] [data-field="count"]').textContent()).toBe('3');
      expect(await page.locator('#adapters tr[data-check="store"] td.ok').count()).toBe(1);
      expect(await page.locator('#recent tbody tr').count()).toBe(7);
      expect(await drawnMarks(page, '#per-minute svg')).toBeGreaterThan(0);
      expect(await drawnMarks(page, '#reasons svg')).toBe(reasons.length);
      expect(await drawnMarks(page, '#pool svg')).toBeGreaterThan(0);
      // What the page shows is what the endpoint says, and no consumer's number is whole.
      const json = (await (await fetch(`${s.url}/dashboard.json`)).json()) as DashboardSnapshot;
      expect(await field('decided')).toBe(String(json.lastHour.decided));
      expect(await page.locator('body').textContent()).not.toMatch(/\+3314567000\d/);

      // A new decision appears without reloading the page.
      await decide({ campaign: 'customer', to: '0145670008' });
      await page.waitForFunction(() => document.querySelector('#live [data-field="decided"]')?.textContent === '5', undefined, { timeout: 10_000 });
      expect(await field('rewrite')).toBe('4');
      await until(async () => (await page.locator('#pool tr[data-number="+33199000001"] [data-field="count"]').textContent()) === '4');
      expect(await page.locator('#recent tbody tr').first().textContent()).toContain('customer');

      await page.screenshot({ path: join(shots(), 'dashboard.png'), fullPage: true });
      expect(statSync(join(shots(), 'dashboard.png')).size).toBeLessThan(400_000);
      await page.close();
    }, 60_000);
  });
});
