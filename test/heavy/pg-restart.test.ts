import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { randomCallee, type AgiOutcome } from '../../bench/agi-client.js';
import { until } from '../helpers.js';
import { describeIfAvailable } from '../requires.js';
import { PrivateCluster, POSTGRES_BIN } from './pg-cluster.js';
import { attemptId, audit, session, startNodes, stopNodes, type Node } from './pg-nodes.js';

/** Sessions per second offered, spread over the nodes. */
const RATE = 40;
/** How long a call waits for PostgreSQL before onStoreError answers it. */
const WAIT_MS = 2_000;
/** Every session must be answered within this, whatever the database is doing. */
const ANSWER_BOUND_MS = WAIT_MS + 3_000;

interface Sent {
  readonly node: number;
  /** Milliseconds since the load started. */
  readonly at: number;
  readonly outcome: AgiOutcome;
}

/**
 * Offers RATE sessions/s for `seconds`, round robin over the nodes `targets()` names at each
 * instant; `events` run at their offsets (ms) while the load goes on.
 */
async function load(nodes: readonly Node[], targets: () => number[], seconds: number, events: [number, () => Promise<void>][]): Promise<Sent[]> {
  const sent: Promise<Sent>[] = [];
  const t0 = performance.now();
  const pending = events.map(([offset, run]) => new Promise<void>((r) => setTimeout(r, offset)).then(run));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      const due = Math.min(RATE * seconds, Math.floor((elapsed / 1000) * RATE));
      while (sent.length < due) {
        const live = targets();
        const node = live[sent.length % live.length]!;
        const at = performance.now() - t0;
        sent.push(session(nodes[node]!, randomCallee(), 30_000).then((outcome) => ({ node, at, outcome })));
      }
      if (sent.length >= RATE * seconds) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(pending);
  return Promise.all(sent);
}

const ms = (s: Sent) => Number(s.outcome.ns) / 1e6;
const storeUnavailable = (s: Sent) => s.outcome.variables.get('CIDGATE_REASON')?.includes('store-unavailable') === true;

async function decisionsIn(url: string): Promise<{ rows: number; withoutHistory: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<{ rows: number; without: number }[]>`
      SELECT count(*)::int AS rows, (count(*) FILTER (WHERE without_history))::int AS without FROM decisions`;
    return { rows: r!.rows, withoutHistory: r!.without };
  } finally {
    await sql.end();
  }
}

describeIfAvailable('PostgreSQL server binaries', POSTGRES_BIN !== null, 'apt-get install postgresql (initdb and pg_ctl in /usr/lib/postgresql/*/bin)')(
  'PostgreSQL faults under load (a private server on its own port)', () => {
    let cluster: PrivateCluster;
    let nodes: Node[] = [];

    beforeAll(async () => { cluster = await PrivateCluster.start(); }, 60_000);
    afterAll(async () => { await cluster?.destroy(); });
    afterEach(async () => {
      await stopNodes(nodes);
      nodes = [];
      const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
      await sql.unsafe('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await sql.end();
    }, 60_000);

    it('stopped for 3 s and started again: every call answered in bounded time, the nodes reconnect, nothing acknowledged lost, the journals replayed', async () => {
      nodes = await startNodes(2, cluster.url, WAIT_MS);
      let downAt = 0;
      let upAt = 0;
      const sent = await load(nodes, () => [0, 1], 9, [
        [2_000, async () => { await cluster.stop(); downAt = performance.now(); }],
        [5_000, async () => { await cluster.resume(); upAt = performance.now(); }],
      ]);
      expect(downAt && upAt).toBeTruthy();
      for (const node of nodes) expect(node.proc.exitCode, node.stderr()).toBeNull();

      // Answered, all of them, per onStoreError while the server was down (prospecting: blocked).
      expect(sent.filter((s) => s.outcome.error !== null || !s.outcome.variables.get('CIDGATE_ACTION')).map((s) => s.outcome.error)).toEqual([]);
      expect(sent.filter((s) => ms(s) > ANSWER_BOUND_MS).map(ms)).toEqual([]);
      const degraded = sent.filter(storeUnavailable);
      expect(degraded.length).toBeGreaterThan(0);
      expect(degraded.every((s) => attemptId(s.outcome) === null && s.outcome.variables.get('CIDGATE_ACTION') === 'block')).toBe(true);
      // Reconnected by themselves: the last second's calls, on both nodes, recorded normally.
      const last = sent.filter((s) => s.at > 8_000);
      expect(new Set(last.map((s) => s.node))).toEqual(new Set([0, 1]));
      const timeline = Array.from({ length: 9 }, (_, sec) => sent.filter((s) => Math.floor(s.at / 1000) === sec && storeUnavailable(s)).length);
      expect(last.filter((s) => storeUnavailable(s) || attemptId(s.outcome) === null).length, `store-unavailable per second: ${timeline}`).toBe(0);

      // Every attempt id a PBX was given is in the database, and every call is: the ones decided
      // without the database come back from the nodes' journals, flagged, once each.
      const given = sent.map((s) => attemptId(s.outcome)).filter((id): id is number => id !== null);
      expect((await audit(cluster.url, given)).missing).toEqual([]);
      await until(async () => (await decisionsIn(cluster.url)).rows >= sent.length, 15_000).catch(() => undefined);
      // One row per call, and every degraded one flagged: a call answered by the policy whose batch
      // still committed afterwards has its row overwritten by the journaled answer at replay.
      const recorded = await decisionsIn(cluster.url);
      expect(recorded.rows).toBe(sent.length);
      expect(recorded.withoutHistory).toBe(degraded.length);
      // Ready again: the store reachable and recording.
      for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    }, 120_000);

    it('kill -9 of one node under load: every attempt id it gave is in the database; the other node goes on', async () => {
      nodes = await startNodes(2, cluster.url, WAIT_MS);
      let killed = false;
      const sent = await load(nodes, () => (killed ? [1] : [0, 1]), 5, [
        [2_000, async () => { nodes[0]!.proc.kill('SIGKILL'); await nodes[0]!.exited; killed = true; }],
      ]);
      const fromKilled = sent.filter((s) => s.node === 0).map((s) => attemptId(s.outcome)).filter((id): id is number => id !== null);
      expect(fromKilled.length).toBeGreaterThan(0);
      const given = sent.map((s) => attemptId(s.outcome)).filter((id): id is number => id !== null);
      expect((await audit(cluster.url, given)).missing).toEqual([]);
      const survivor = sent.filter((s) => s.node === 1);
      expect(survivor.filter((s) => s.outcome.error !== null || attemptId(s.outcome) === null).map((s) => s.outcome.error)).toEqual([]);
    }, 120_000);
  });
