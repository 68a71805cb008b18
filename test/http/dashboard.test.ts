import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Clock } from '../../src/clock.js';
import { DashboardState } from '../../src/http/dashboard-state.js';
import type { DashboardSnapshot } from '../../src/http/dashboard-view.js';
import type { Readiness } from '../../src/http/plugin.js';
import { buildHttpServer, type HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import type { Decision } from '../../src/model/types.js';
import type { DecisionEvent } from '../../src/service/gateway.js';
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

function event(action: Decision['action'], reasons: string[], callee = '+33145678901', callerId: string | null = '+33162000001'): DecisionEvent {
  const decision = { action, reasons, callee, callerId, originalCallerId: '+33612345678', campaign: 'prospecting' } as unknown as Decision;
  return { request: { campaign: 'prospecting', from: null, to: callee, pbx: { source: 'asterisk' } }, result: { decision, attemptId: 1, replayed: false }, seconds: 0.001, storeError: false };
}

describe('the dashboard\'s live figures (bounded, in memory)', () => {
  it('counts decisions per minute by action over the last hour, and forgets what is older', () => {
    const clock = movingClock(MONDAY_11H);
    const state = new DashboardState(() => example, clock);
    state.record(event('rewrite', ['mobile-caller-id']));
    clock.advance(30 * 60_000);
    state.record(event('allow', []));
    state.record(event('block', ['outside-calling-hours', 'public-holiday']));
    state.record(event('block', ['do-not-call']));
    let s = state.snapshot([], READY);
    expect(s.perMinute).toHaveLength(60);
    expect(s.perMinute[29]).toMatchObject({ label: '11:00', rewrite: 1, allow: 0, block: 0 });
    expect(s.perMinute[59]).toMatchObject({ label: '11:30', allow: 1, block: 2 });
    expect(s.lastHour).toEqual({ decided: 4, allow: 1, rewrite: 1, block: 2 });
    expect(s.blocksByReason.map((b) => [b.code, b.count])).toEqual([['do-not-call', 1], ['outside-calling-hours', 1], ['public-holiday', 1]]);
    clock.advance(31 * 60_000);
    s = state.snapshot([], READY);
    expect(s.lastHour).toEqual({ decided: 3, allow: 1, rewrite: 0, block: 2 });
    clock.advance(60 * 60_000);
    s = state.snapshot([], READY);
    expect(s.lastHour.decided).toBe(0);
    expect(s.blocksByReason).toEqual([]);
    expect(s.decisionsSeen).toBe(4);
  });

  it('keeps the last 50 decisions, newest first, consumers\' numbers masked and our own shown', () => {
    const clock = movingClock(MONDAY_11H);
    const state = new DashboardState(() => example, clock);
    for (let i = 0; i < 120; i++) {
      state.record(event('rewrite', [], `+33145678${String(i).padStart(3, '0')}`));
      clock.advance(1000);
    }
    const { recent } = state.snapshot([], READY);
    expect(recent).toHaveLength(50);
    expect(recent[0]!.callee).toBe('+3314•••••19');
    expect(recent[49]!.callee).toBe('+3314•••••70');
    expect(recent[0]!.callerId).toBe('+33162000001');
    expect(recent[0]!.time).toBe('2026-11-30 11:01:59');
    const blocked = new DashboardState(() => example, clock);
    blocked.record(event('block', ['do-not-call'], '+33145678901', null));
    expect(blocked.snapshot([], READY).recent[0]!.callerId).toBe('+3361•••••78');
  });
});

const CONFIG = configFrom(`
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
    expect(s.recent[0]).toMatchObject({ campaign: 'nope', action: 'block', callee: '+3314•••••06', source: 'http' });
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

  it('is read only: nothing but GET', async () => {
    for (const method of ['POST', 'DELETE'] as const) {
      const r = await server.app.inject({ method, url: '/dashboard.json', remoteAddress: '127.0.0.1' });
      expect(r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });
});
