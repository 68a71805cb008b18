import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Clock } from '../../src/clock.js';
import { DASHBOARD_RECENT, dashboardSince, dashboardSnapshot } from '../../src/http/dashboard-state.js';
import { dashboardMain, type DashboardSnapshot } from '../../src/http/dashboard-view.js';
import type { Readiness } from '../../src/http/plugin.js';
import { buildHttpServer, type HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { configFrom, example } from '../helpers.js';

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
const READY: Readiness = { ready: false, checks: { store: { ok: true }, ami: { ok: false, detail: 'not connected' }, service: { ok: true } } };

/** A clock the test moves. */
function movingClock(start: Date): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

const SELF = { node: 'pbx-a', readiness: READY, decisionsSeen: 0 };

describe('the dashboard\'s figures, read from the store (every node\'s decisions)', () => {
  let store: SqliteStore;
  beforeEach(() => { store = new SqliteStore(':memory:'); });
  afterEach(() => store.close());

  /** A decision recorded by `node` at `at` (service calls: allowed whatever the hour). */
  const record = (node: string, at: Date, extra: Record<string, unknown> = {}) =>
    new Gateway(configFrom(`nodeName: ${node}\ncampaigns: { customer: { purpose: service, dialing: manual, pool: ["0199000001"] } }`), store, { now: () => at }, silentLogger)
      .check({ campaign: 'customer', from: '0612345678', to: '0145678901', pbx: { source: 'asterisk' }, ...extra }, { record: true });
  const snapshot = async (now: Date) => dashboardSnapshot(await store.dashboard(dashboardSince(now), DASHBOARD_RECENT), [], example, now, SELF);

  it('counts decisions per minute by action over the last hour, blocks by reason, and leaves out what is older', async () => {
    await record('pbx-a', MONDAY_11H);
    const later = new Date(MONDAY_11H.getTime() + 30 * 60_000);
    await record('pbx-b', later);
    await record('pbx-b', later, { campaign: 'nope' });
    await record('pbx-a', later, { to: '12' });
    let s = await snapshot(later);
    expect(s.perMinute).toHaveLength(60);
    expect(s.perMinute[29]).toMatchObject({ label: '11:00', rewrite: 1, allow: 0, block: 0 });
    expect(s.perMinute[59]).toMatchObject({ label: '11:30', rewrite: 1, block: 2 });
    expect(s.lastHour).toEqual({ decided: 4, allow: 0, rewrite: 2, block: 2 });
    expect(s.blocksByReason.map((b) => b.count).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(s.blocksByReason.map((b) => b.code)).toContain('unknown-campaign');
    expect(s.recent.map((r) => r.node)).toEqual(['pbx-a', 'pbx-b', 'pbx-b', 'pbx-a']);
    expect(s.node).toBe('pbx-a');
    s = await snapshot(new Date(later.getTime() + 31 * 60_000));
    expect(s.lastHour).toEqual({ decided: 3, allow: 0, rewrite: 1, block: 2 });
    s = await snapshot(new Date(later.getTime() + 91 * 60_000));
    expect(s.lastHour.decided).toBe(0);
    expect(s.blocksByReason).toEqual([]);
    expect(s.recent).toHaveLength(4);
  });

  it('shows the dialer\'s lead id beside each decision that has one (VICIdial\'s, from its caller ID name)', async () => {
    await record('pbx-a', MONDAY_11H, { pbx: { source: 'asterisk', lead: '1234' } });
    await record('pbx-a', MONDAY_11H);
    const s = await snapshot(MONDAY_11H);
    expect(s.recent.map((r) => r.lead)).toEqual([null, '1234']);
    expect(dashboardMain(s)).toMatch(/<td>1234<\/td><\/tr>/);
  });

  it('lists the last 50 decisions, newest first, consumers\' numbers masked and our own shown', async () => {
    const clock = movingClock(MONDAY_11H);
    for (let i = 0; i < 120; i++) {
      await record('pbx-a', clock.now(), { to: `0145678${String(i).padStart(3, '0')}` });
      clock.advance(1000);
    }
    const { recent } = await snapshot(clock.now());
    expect(recent).toHaveLength(50);
    expect(recent[0]!.callee).toBe('+3314•••••19');
    expect(recent[49]!.callee).toBe('+3314•••••70');
    expect(recent[0]!.callerId).toBe('+33199000001');
    expect(recent[0]!.time).toBe('2026-11-30 11:01:59');
    await record('pbx-a', clock.now(), { campaign: 'nope' });
    expect((await snapshot(clock.now())).recent[0]!.callerId).toBe('+3361•••••78');
  });
});

const CONFIG = configFrom(`
nodeName: pbx-a
http: { allow: [10.1.0.0/16] }
campaigns:
  prospecting:
    purpose: prospecting
    dialing: automated
    dailyCapPerNumber: 2
    pool: [01 62 00 00 01, 01 63 00 00 01, 02 70 00 00 01]
`);

describe('GET /dashboard.json and the page, over HTTP', () => {
  let store: SqliteStore;
  let server: HttpServer;
  let gateway: Gateway;
  const clock = movingClock(MONDAY_11H);

  beforeAll(async () => {
    store = new SqliteStore(':memory:');
    gateway = new Gateway(CONFIG, store, clock, silentLogger);
    server = await buildHttpServer({
      gateway, log: silentLogger, token: 'dash-token', clock,
      service: { ready: async () => READY, reload: async () => ({ ok: true, config: '' }), registry: new Registry() },
    });
    const call = (to: string, extra: object = {}) => gateway.check({ campaign: 'prospecting', from: '0612345678', to, consent: true, pbx: { source: 'http' }, ...extra }, { record: true });
    await call('0145670001');
    await call('0145670002');
    await call('0145670003');
    await call('0145670004');
    await call('0299000001');
    await call('0145670005', { consent: false });
    await call('0145670006', { campaign: 'nope' });
  });
  afterAll(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, remoteAddress = '127.0.0.1', authorization?: string) =>
    server.app.inject({ method: 'GET', url, remoteAddress, headers: authorization ? { authorization } : {} });

  it('gives the last hour\'s decisions, the blocks by reason, today\'s pool use against caps and the readiness checks', async () => {
    const r = await get('/dashboard.json');
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const s = r.json() as DashboardSnapshot;
    expect(s.lastHour).toEqual({ decided: 7, allow: 0, rewrite: 5, block: 2 });
    expect(s.perMinute.at(-1)).toMatchObject({ label: '11:00', rewrite: 5, block: 2 });
    // Zone 1's two pool numbers are at their cap: the consentless call is also left without a number.
    expect(s.blocksByReason.map((b) => [b.code, b.count])).toEqual([['no-consent', 1], ['no-substitute', 1], ['unknown-campaign', 1]]);
    const used = Object.fromEntries(s.pool.map((p) => [p.number, [p.count, p.cap]]));
    expect(used).toEqual({ '+33162000001': [2, 2], '+33163000001': [2, 2], '+33270000001': [1, 2] });
    expect(s.readiness).toEqual(READY);
    expect(s.recent).toHaveLength(7);
    expect(s.recent[0]).toMatchObject({ campaign: 'nope', action: 'block', callee: '+3314•••••06', source: 'http', node: 'pbx-a' });
    expect(s.node).toBe('pbx-a');
    expect(JSON.stringify(s)).not.toMatch(/\+33145670\d{3}/);
  });

  it('serves the page with the same figures, its script and nothing else of the build', async () => {
    const page = await get('/');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('data-field="decided">7<');
    expect(page.body).toContain('<svg');
    const script = await get('/dashboard/http/dashboard-client.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    for (const path of ['/dashboard/http/dashboard-view.js', '/dashboard/report/charts.js']) expect((await get(path)).statusCode).toBe(200);
    for (const path of ['/dashboard/http/server.js', '/dashboard/../package.json', '/dashboard/report/charts.js.map']) {
      expect((await get(path)).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('is behind the API\'s allow-list and token', async () => {
    for (const url of ['/', '/dashboard.json', '/dashboard/http/dashboard-client.js']) {
      expect((await get(url, '192.0.2.1', 'Bearer dash-token')).json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect((await get(url, '10.1.2.3')).json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await get(url, '10.1.2.3', 'Bearer wrong')).statusCode).toBe(401);
      expect((await get(url, '10.1.2.3', 'Bearer dash-token')).statusCode).toBe(200);
    }
  });

  it('reads the store at most once a second, whatever the number of browsers polling', async () => {
    const decided = async () => ((await get('/dashboard.json')).json() as DashboardSnapshot).lastHour.decided;
    const before = await decided();
    await gateway.check({ campaign: 'prospecting', from: '0612345678', to: '0145670009', consent: true }, { record: true });
    expect(await decided()).toBe(before);
    clock.advance(1_000);
    expect(await decided()).toBe(before + 1);
  });

  it('is read only: nothing but GET', async () => {
    for (const method of ['POST', 'DELETE'] as const) {
      const r = await server.app.inject({ method, url: '/dashboard.json', remoteAddress: '127.0.0.1' });
      expect(r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });
});
