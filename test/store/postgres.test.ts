import { afterAll, beforeAll, expect, it } from 'vitest';
import { configFrom, example } from '../helpers.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from './stores.js';

// Several nodes on one database: each PostgresStore here is a node with its own connections.
describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@localhost/postgres (bash .ci/run does)')(
  'PostgreSQL shared by several nodes', () => {
    const base = testDatabaseUrl!;
    let url: string;
    const nodes: PostgresStore[] = [];
    // Generous waits: these tests check atomicity, not latency, on a shared machine.
    const node = () => { const s = new PostgresStore(url, { waitMs: 20_000 }); nodes.push(s); return s; };
    const at = { now: () => new Date('2026-11-30T10:00:00Z') };

    beforeAll(async () => { url = await createDatabase(base); });
    afterAll(async () => {
      for (const n of nodes) await n.close();
      await dropDatabase(base, url);
    });

    it('four nodes starting at once on an empty database migrate it once', async () => {
      const four = [node(), node(), node(), node()];
      const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
      expect(await Promise.all(four.map((n) => n.schemaVersion()))).toEqual([latest, latest, latest, latest]);
    });

    it('two nodes deciding for the same 40 consumers at once: exactly 4 attempts each', async () => {
      const gateways = [node(), node()].map((s) => new Gateway(example, s, at, silentLogger));
      const calls = [];
      for (let k = 0; k < 6; k++) {
        for (let i = 0; i < 40; i++) {
          for (const g of gateways) {
            calls.push(g.check({ campaign: 'prospecting', from: '0612345678', to: `01457${String(i).padStart(5, '0')}`, consent: true }, { record: true }));
          }
        }
      }
      const results = await Promise.all(calls);
      expect(results.filter((r) => r.decision.reasons.includes('store-unavailable'))).toEqual([]);
      const allowed = new Map<string, number>();
      for (const r of results) if (r.decision.action !== 'block') allowed.set(r.decision.callee!, (allowed.get(r.decision.callee!) ?? 0) + 1);
      expect(allowed.size).toBe(40);
      expect([...allowed.values()].every((n) => n === 4)).toBe(true);
      let counted = 0;
      for await (const r of nodes[0]!.attempts({})) if (r.counted && r.callee?.startsWith('+3314570')) counted++;
      expect(counted).toBe(160);
    });

    it('a pool number\'s daily cap holds across nodes', async () => {
      const capped = configFrom(`
campaigns:
  p: { purpose: prospecting, dialing: automated, dailyCapPerNumber: 5, pool: ["0162000009"] }
`);
      const gateways = [node(), node(), node()].map((s) => new Gateway(capped, s, at, silentLogger));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        gateways[i % 3]!.check({ campaign: 'p', from: '0612345678', to: `01458${String(i).padStart(5, '0')}`, consent: true }, { record: true })));
      expect(results.filter((r) => r.decision.reasons.includes('store-unavailable'))).toEqual([]);
      expect(results.filter((r) => r.decision.callerId === '+33162000009')).toHaveLength(5);
      expect(results.filter((r) => r.decision.reasons.includes('no-substitute'))).toHaveLength(25);
    });
  });
