import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgiOutcome } from '../../bench/agi-client.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from '../store/stores.js';
import { describeIfAvailable } from '../requires.js';
import { attemptId, audit, CONSUMERS, DAILY_CAP, session, startNodes, stopNodes, type Node } from './pg-nodes.js';

/** Sessions per consumer: three times what the 30-day limit lets through. */
const ROUNDS = 12;

describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@127.0.0.1:5432/postgres (bash .ci/run does)')(
  'four cidgate nodes on one PostgreSQL database', () => {
    const base = testDatabaseUrl!;
    let url: string;
    let nodes: Node[] = [];

    beforeAll(async () => {
      url = await createDatabase(base);
      // Generous wait: this test checks atomicity, not latency, on a shared machine.
      nodes = await startNodes(4, url, 20_000);
    }, 60_000);
    afterAll(async () => {
      await stopNodes(nodes);
      await dropDatabase(base, url);
    }, 60_000);

    it(`${CONSUMERS.length} consumers called ${ROUNDS} times each through all four at once: the limits hold across nodes`, async () => {
      // Every round sends each consumer's call to every node in turn, all rounds in flight together:
      // the nodes' transactions for one consumer overlap all the time.
      const sessions: Promise<AgiOutcome>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        CONSUMERS.forEach((callee, i) => sessions.push(session(nodes[(i + round) % nodes.length]!, callee)));
      }
      const outcomes = await Promise.all(sessions);

      const unanswered = outcomes.filter((o) => o.error !== null || !o.variables.get('CIDGATE_ACTION'));
      expect(unanswered.map((o) => o.error)).toEqual([]);
      const storeErrors = outcomes.filter((o) => o.variables.get('CIDGATE_REASON')?.includes('store-unavailable'));
      expect(storeErrors).toHaveLength(0);

      const given = outcomes.map(attemptId).filter((id): id is number => id !== null);
      expect(given).toHaveLength(outcomes.length); // blocked decisions are logged too, each with its id
      expect(new Set(given).size).toBe(given.length);
      const db = await audit(url, given);
      expect(db.missing).toEqual([]);

      // At most 4 counted attempts per consumer in 30 days, and the limit was reached (not merely approached).
      expect(db.perConsumer.filter((c) => c.n > 4)).toEqual([]);
      expect(db.perConsumer.filter((c) => c.n === 4).length).toBeGreaterThan(0);
      // No pool number past its daily cap, by the counter and by the log; and the cap was reached.
      expect(db.perNumber.filter((u) => u.count > DAILY_CAP)).toEqual([]);
      expect(db.presented.filter((p) => p.n > DAILY_CAP)).toEqual([]);
      expect(db.perNumber.some((u) => u.count === DAILY_CAP)).toBe(true);
      // What the PBXs were told to dial is exactly what the log counts.
      const dialled = outcomes.filter((o) => ['allow', 'rewrite'].includes(o.variables.get('CIDGATE_ACTION')!)).length;
      expect(db.perConsumer.reduce((n, c) => n + c.n, 0)).toBe(dialled);
    }, 120_000);
  });
