import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { post, startServe, type Served } from '../http/serve-process.js';
import { freePort } from '../../bench/ports.js';

const MONDAY = '2026-11-30T11:00:00+01:00';
let s: Served;


function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

function editConfig(edit: (c: any) => void): void {
  const c = parse(readFileSync(s.config, 'utf8'));
  edit(c);
  writeFileSync(s.config, stringify(c));
}

const customerCallerId = async (key: string) =>
  (await post(`${s.url}/v1/decisions`, { campaign: 'customer', to: '0145678901', at: MONDAY, key })).body.callerIdE164;

beforeAll(async () => {
  s = await startServe({ overrides: { asterisk: { fastagi: { enabled: true, port: await freePort() } } } });
}, 60_000);
afterAll(async () => { await s?.stop(); }, 30_000);

describe('reload (SIGHUP and POST /v1/admin/reload)', { timeout: 60_000 }, () => {
  it('an invalid config is refused: the service keeps running on the old one and logs why', async () => {
    const before = readFileSync(s.config, 'utf8');
    writeFileSync(s.config, `${before}\nnoSuchKey: 1\n`);
    s.proc.kill('SIGHUP');
    await until(() => s.lines.some((l) => l.includes('"event":"reload-failed"')), 10_000);
    expect(JSON.parse(s.lines.find((l) => l.includes('"event":"reload-failed"'))!)).toMatchObject({ code: 'CONFIG_INVALID', error: expect.stringMatching(/noSuchKey/) });
    const r = await post(`${s.url}/v1/admin/reload`, undefined);
    expect(r).toMatchObject({ status: 422, body: { error: { code: 'RELOAD_FAILED' } } });
    writeFileSync(s.config, before);
    expect(await customerCallerId('reload-1')).toBe('+33199000001');
    expect(s.proc.exitCode).toBeNull();
  });

  it('SIGHUP swaps campaigns and pools for new calls', async () => {
    editConfig((c) => { c.campaigns.customer.pool = ['01 99 00 00 02']; });
    s.proc.kill('SIGHUP');
    await until(() => s.lines.some((l) => l.includes('"event":"reloaded"') && l.includes('"trigger":"SIGHUP"')), 10_000);
    expect(await customerCallerId('reload-2')).toBe('+33199000002');
  });

  it('a changed listener address is re-bound: the new port answers, the old one stops, HTTP carries on', async () => {
    const oldPort = s.ports.fastagi!;
    const newPort = await freePort();
    editConfig((c) => { c.asterisk.fastagi.port = newPort; });
    const r = await post(`${s.url}/v1/admin/reload`, undefined);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, rebound: ['fastagi'], needsRestart: [] });
    expect(await connects(newPort)).toBe(true);
    await until(async () => !(await connects(oldPort)), 10_000);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('settings that need a restart are named', async () => {
    editConfig((c) => { c.database = '/elsewhere/cidgate.db'; });
    const r = await post(`${s.url}/v1/admin/reload`, undefined);
    expect(r.body).toMatchObject({ ok: true, needsRestart: ['database'] });
  });
});
