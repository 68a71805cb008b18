import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/http/dashboard-view.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/report/pdf.js';
import { post } from '../http/serve-process.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from '../store/stores.js';
import { startNode, stopNodes, type Node } from './pg-nodes.js';

const available = testDatabaseUrl !== null && existsSync(chromiumPath()) && existsSync(join(PACKAGE_ROOT, 'dist', 'src', 'http', 'dashboard-client.js'));

describeIfAvailable('PostgreSQL, Chromium and the built service', available,
  'set CIDGATE_TEST_DATABASE_URL (bash .ci/run does), apt-get install chromium, npm run build')('the dashboard of one node shows the whole center', () => {
  let url: string;
  let nodes: Node[] = [];
  let browser: Browser;

  beforeAll(async () => {
    url = await createDatabase(testDatabaseUrl!);
    // Two nodes on one database, each under its own name (one host here: the default would be the same).
    const started = await Promise.allSettled(['pbx-a', 'pbx-b'].map((nodeName) => startNode(url, 1_000, { overrides: { nodeName } })));
    nodes = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stopNodes(nodes);
    if (url) await dropDatabase(testDatabaseUrl!, url);
  }, 60_000);

  it('lists the decisions of both nodes with their node names, counts them all, and names the node whose connections it shows', async () => {
    const [a, b] = nodes as [Node, Node];
    const decide = (node: Node, to: string, campaign = 'customer') => post(`${node.url}/v1/decisions`, { campaign, from: '0612345678', to });
    for (const to of ['0145670001', '0145670002']) expect((await decide(a, to)).body.action).toBe('rewrite');
    for (const to of ['0145670003', '0145670004', '0145670005']) expect((await decide(b, to)).body.action).toBe('rewrite');
    expect((await decide(b, '0145670006', 'prospecting')).body.reasonCodes).toContain('no-consent');

    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(a.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Live'));
    const field = (name: string) => page.locator(`#live [data-field="${name}"]`).textContent();
    expect([await field('decided'), await field('rewrite'), await field('block')]).toEqual(['6', '5', '1']);
    // This node made two of them: its own count since start says so.
    expect(await field('seen')).toBe('2');
    const rows = await page.locator('#recent tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-node'), tr.children[1]!.textContent]));
    expect(rows).toEqual([['pbx-b', 'pbx-b'], ['pbx-b', 'pbx-b'], ['pbx-b', 'pbx-b'], ['pbx-b', 'pbx-b'], ['pbx-a', 'pbx-a'], ['pbx-a', 'pbx-a']]);
    expect(await page.locator('#reasons tr[data-reason="no-consent"] td.n').textContent()).toBe('1');
    // Pool use is the store's: five presentations of the customer campaign's first number, by both nodes.
    expect(await page.locator('#pool tr[data-number="+33199000001"][data-campaign="customer"] [data-field="count"]').textContent()).toBe('5');
    expect(await page.locator('#adapters [data-field="node"]').textContent()).toBe('pbx-a');
    expect(await page.locator('#adapters tr[data-check="store"] td').first().textContent()).toBe('pbx-a');

    // A decision on the other node appears on this one's page without a reload.
    expect((await decide(b, '0145670007')).body.action).toBe('rewrite');
    await page.waitForFunction(() => document.querySelector('#live [data-field="decided"]')?.textContent === '7', undefined, { timeout: 10_000 });
    expect(await page.locator('#recent tbody tr').first().getAttribute('data-node')).toBe('pbx-b');

    // Node b's own page: the same center, its own connections.
    const other = (await (await fetch(`${b.url}/dashboard.json`)).json()) as DashboardSnapshot;
    expect(other.node).toBe('pbx-b');
    expect(other.lastHour.decided).toBe(7);
    expect(other.recent.map((r) => r.node)).toEqual(['pbx-b', 'pbx-b', 'pbx-b', 'pbx-b', 'pbx-b', 'pbx-a', 'pbx-a']);
    await page.close();
  }, 60_000);
});
