import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { post, startServe, writeConfig, type Served } from '../http/serve-process.js';
import { runCli } from '../helpers.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from '../store/stores.js';
import { FAKETIME_HOW, fakeTimeEnv, faketimeAvailable, step, steppableTimeEnv } from './faketime.js';
import { POOL, session, startNode, stopNodes, type Node } from './pg-nodes.js';

/** Each node's clock against the host's, seconds: 3 s between the extremes. */
const OFFSETS = ['-1.5', '-0.5', '+0.5', '+1.5'];
const consumers = (base: number) => Array.from({ length: 40 }, (_, i) => `0145${String(base + i)}`);
/** The other campaigns' pool: without the capped campaign's number (a cap counts a number's uses on every campaign). */
const UNCAPPED = POOL.filter((n) => n !== '01 62 00 00 01');
const CAMPAIGNS = {
  prospecting: { pool: UNCAPPED },
  capped: { purpose: 'prospecting', dialing: 'automated', basis: 'consent', pool: ['01 62 00 00 01'], dailyCapPerNumber: 20 },
  gap: { purpose: 'prospecting', dialing: 'automated', basis: 'consent', limits: { minGapMinutes: 60 }, pool: UNCAPPED },
};
const PG_HOW = 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@127.0.0.1:5432/postgres (bash .ci/run does)';

/** One call through the node's FastAGI or its HTTP API (every other one), as two PBXs of one site would. */
async function call(node: Node, callee: string, campaign: string, viaHttp: boolean): Promise<string> {
  if (!viaHttp) {
    const o = await session(node, callee, 60_000, campaign);
    if (o.error) throw new Error(`FastAGI: ${o.error}`);
    return o.variables.get('CIDGATE_ACTION')!;
  }
  const r = await post(`${node.url}/v1/decisions`, { campaign, from: '0612345678', to: callee, consent: true, consentAnytime: true });
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.action;
}

/** Counted attempts per consumer, with their instants, over a connection of the test's own. */
async function counted(url: string, callees: readonly string[]): Promise<Map<string, number[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const e164 = callees.map((c) => `+33${c.slice(1)}`);
    const rows = await sql<{ callee: string; at: number }[]>`
      SELECT callee, (extract(epoch FROM at) * 1000)::float8 AS at FROM decisions WHERE counted AND callee = ANY(${e164}) ORDER BY at`;
    const out = new Map<string, number[]>(e164.map((c) => [c, []]));
    for (const r of rows) out.get(r.callee)!.push(r.at);
    return out;
  } finally {
    await sql.end();
  }
}

/** The report's proofs over the database (today, site time zone): their violations by id. */
async function proofs(url: string, node?: Node): Promise<Record<string, number>> {
  const today = new Date().toISOString().slice(0, 10);
  // With a node's config, the proofs know its campaigns' gaps and caps.
  const config = node ? ['--config', join(node.dir, 'cidgate.yaml')] : [];
  const r = await runCli(['report', ...config, '--db', url, '--from', today, '--to', today, '--format', 'json', '--offending', '0']);
  expect(r.code, r.err).toBe(0);
  return Object.fromEntries((JSON.parse(r.out).proofs as { id: string; violations: number }[]).map((p) => [p.id, p.violations]));
}

describeIfAvailable('PostgreSQL and libfaketime', testDatabaseUrl !== null && faketimeAvailable, `${PG_HOW}; ${FAKETIME_HOW}`)(
  'four nodes whose clocks disagree by up to 3 s, on one PostgreSQL database', () => {
    const base = testDatabaseUrl!;
    let url: string;
    let nodes: Node[] = [];

    beforeAll(async () => {
      url = await createDatabase(base);
      // One at a time: the first migrates. Generous wait: atomicity, not latency, on a shared machine.
      for (const offset of OFFSETS) {
        nodes.push(await startNode(url, 20_000, { env: fakeTimeEnv(offset), overrides: { campaigns: CAMPAIGNS } }));
      }
    }, 90_000);
    afterAll(async () => {
      await stopNodes(nodes);
      await dropDatabase(base, url);
    }, 60_000);

    it('40 consumers × 10 attempts over FastAGI and HTTP at once: exactly 4 counted each; the report finds no violation', async () => {
      const callees = consumers(600_000);
      const calls: Promise<string>[] = [];
      for (let round = 0; round < 10; round++) {
        callees.forEach((c, i) => calls.push(call(nodes[(i + round) % 4]!, c, 'prospecting', (i + round) % 2 === 1)));
      }
      const actions = await Promise.all(calls);
      expect(actions.filter((a) => !['allow', 'rewrite', 'block'].includes(a))).toEqual([]);
      const per = await counted(url, callees);
      expect([...per.values()].map((v) => v.length)).toEqual(callees.map(() => 4));
      expect(actions.filter((a) => a !== 'block')).toHaveLength(160); // what the PBXs dialled is what the log counts
      expect((await proofs(url))['attempt-limit']).toBe(0);
    }, 120_000);

    it('a pool number capped at 20 a day, shared by the four nodes: exactly 20 presentations', async () => {
      const callees = consumers(700_000);
      const actions = await Promise.all(callees.map((c, i) => call(nodes[i % 4]!, c, 'capped', i % 2 === 1)));
      expect(actions.filter((a) => a !== 'block')).toHaveLength(20);
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM decisions WHERE counted AND campaign = 'capped' AND presented_caller_id = '+33162000001'`;
        expect(row!.n).toBe(20);
        const usage = await sql<{ count: number }[]>`SELECT count FROM number_usage WHERE number = '+33162000001'`;
        expect(usage.map((u) => u.count)).toEqual([20]);
        expect((await proofs(url, nodes[0]))['daily-cap']).toBe(0);
      } finally {
        await sql.end();
      }
    }, 120_000);

    it('a campaign with a 60-minute gap: no two counted attempts to a consumer closer than it', async () => {
      const callees = consumers(800_000);
      const calls: Promise<string>[] = [];
      for (let round = 0; round < 5; round++) callees.forEach((c, i) => calls.push(call(nodes[(i + round) % 4]!, c, 'gap', round % 2 === 0)));
      await Promise.all(calls);
      const per = await counted(url, callees);
      expect([...per.values()].map((v) => v.length)).toEqual(callees.map(() => 1));
      expect((await proofs(url, nodes[0]))['min-gap']).toBe(0);
    }, 120_000);
  });

describeIfAvailable('PostgreSQL and libfaketime', testDatabaseUrl !== null && faketimeAvailable, `${PG_HOW}; ${FAKETIME_HOW}`)(
  'a node 2 s ahead of the database, database.maxClockSkewMs 100', () => {
    const base = testDatabaseUrl!;
    let url: string;
    let node: Node | null = null;
    beforeAll(async () => { url = await createDatabase(base); }, 30_000);
    afterAll(async () => {
      if (node) await stopNodes([node]);
      await dropDatabase(base, url);
    }, 30_000);

    it('the gauge says +2 s, the warning is logged with its code, readiness fails (beyond ten times the bound)', async () => {
      node = await startNode(url, 5_000, { env: fakeTimeEnv('+2'), overrides: { database: { url, maxClockSkewMs: 100 } } });
      const metrics = await (await fetch(`${node.url}/metrics`)).text();
      const skew = Number(/^cidgate_clock_skew_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(skew).toBeGreaterThan(1.8);
      expect(skew).toBeLessThan(2.2);
      expect(node.lines.some((l) => l.includes('"code":"CLOCK_SKEW"'))).toBe(true);
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.clock).toMatchObject({ ok: false, detail: expect.stringMatching(/offset \+(1\.[89]|2\.[01])\d* s/) });
      // Its live decisions are dated on the server's clock, not its own.
      const before = Date.now();
      const r = await post(`${node.url}/v1/decisions`, { campaign: 'prospecting', from: '0612345678', to: '0145900001', consent: true, consentAnytime: true });
      expect(r.status).toBe(200);
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const [d] = await sql<{ at: number }[]>`SELECT (extract(epoch FROM at) * 1000)::float8 AS at FROM decisions WHERE id = ${r.body.attemptId}`;
        expect(d!.at).toBeGreaterThanOrEqual(before - 500);
        expect(d!.at).toBeLessThan(before + 1_500); // not +2 s
      } finally {
        await sql.end();
      }
    }, 60_000);
  });

describeIfAvailable('libfaketime', faketimeAvailable, FAKETIME_HOW)('a SQLite node whose clock steps back 10 s while it serves', () => {
  let served: Served | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'cidgate-step-'));
  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no 5th attempt: the four logged "after" its new now still count; the report agrees', async () => {
    const file = join(dir, 'faketime');
    const w = writeConfig();
    served = await startServe({ config: w.config, db: w.db, dir: w.dir, env: steppableTimeEnv(file) });
    const body = { campaign: 'prospecting', from: '0612345678', to: '0145910001', consent: true, consentAnytime: true };
    for (let i = 0; i < 4; i++) expect((await post(`${served.url}/v1/decisions`, body)).body.action).toBe('rewrite');
    step(file, '-10');
    const fifth = await post(`${served.url}/v1/decisions`, body);
    expect(fifth.body).toMatchObject({ action: 'block', reasonCodes: 'attempt-limit', reading: 'log' });
    await served.stop();
    const db = served.db;
    served = null;
    expect((await proofs(db))['attempt-limit']).toBe(0);
  }, 60_000);
});
