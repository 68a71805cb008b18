import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keepFull, mountTmpfs } from '../../bench/tmpfs.js';
import { silentLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { Gateway } from '../../src/service/gateway.js';
import { Journal } from '../../src/service/journal.js';
import type { Recorded } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { describeIfAvailable } from '../requires.js';

const disk = mountTmpfs(8);
afterAll(() => disk?.unmount());

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');

async function until(test: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!test() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describeIfAvailable('a real size-limited filesystem (mount -t tmpfs)', disk !== null, 'run the tests as root, where mount is permitted')('a full disk under load', () => {
  it('calls follow onStoreError while it lasts, and recording resumes by itself once space is freed, load still on', async () => {
    const file = join(disk!.dir, 'cidgate.db');
    // The checkpoint worker runs compiled (dist/), as in the service.
    const { SqliteStore } = await import(join(PACKAGE_ROOT, 'dist', 'src', 'store', 'sqlite.js')) as typeof import('../../src/store/sqlite.js');
    const store = new SqliteStore(file, { backgroundCheckpoint: true });
    // Where the README puts it: next to the database, on the same full disk.
    const journal = new Journal(`${file}.journal`, silentLogger);
    const gateway = new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger, journal);
    const results: { at: number; r: Recorded; id: string; healthy: boolean }[] = [];
    let load = true;
    let n = 0;
    // Eight callers, each a call every 4 ms (~1,500 calls/s in all), until told to stop.
    const callers = Array.from({ length: 8 }, async () => {
      while (load) {
        const i = n++;
        const id = `full.${i}`;
        const r = await gateway.check({ campaign: 'prospecting', from: '0612345678', to: `014${String(i).padStart(7, '0')}`, consent: true, pbx: { uniqueId: id } }, { record: true });
        results.push({ at: performance.now(), r, id, healthy: store.health().ok });
        await new Promise((res) => setTimeout(res, 4));
      }
    });
    let filler: { stop(): void } | null = null;
    try {
      await until(() => results.length > 200, 5_000);
      expect(store.health().ok).toBe(true);

      // A runaway writer takes every block, including those the store frees.
      filler = keepFull(join(disk!.dir, 'filler'));
      const filled = performance.now();
      await until(() => !store.health().ok, 5_000);
      expect(store.health()).toMatchObject({ ok: false, reason: expect.stringContaining('disk full') });
      await new Promise((r) => setTimeout(r, 300));
      const duringFull = results.filter((x) => x.at > filled && x.r.attemptId === null);
      expect(duringFull.length).toBeGreaterThan(0);
      expect(duringFull.every((x) => x.r.decision.action === 'block' && x.r.decision.reasons[0] === 'store-unavailable')).toBe(true);

      filler.stop();
      const freed = performance.now();
      // Liveness, not speed: recording resumes and readiness comes back without a restart.
      await until(() => results.some((x) => x.at > freed && x.r.attemptId !== null) && store.health().ok, 10_000);
      expect(store.health()).toMatchObject({ ok: true, reason: null });
      const resumed = performance.now();
      await new Promise((r) => setTimeout(r, 300));
      const after = results.filter((x) => x.at > resumed);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((x) => x.r.attemptId === null || !x.healthy)).toEqual([]);
    } finally {
      filler?.stop();
      load = false;
      await Promise.all(callers);
    }

    // Nothing acknowledged is missing; what the journal could keep is replayed once space is back.
    await gateway.replayJournal();
    const recorded = new Map<string, { id: number; withoutHistory: boolean }>();
    for await (const row of store.attempts({})) recorded.set(row.pbxUniqueId!, { id: row.id, withoutHistory: row.withoutHistory });
    const acknowledged = results.filter((x) => x.r.attemptId !== null);
    expect(acknowledged.filter((x) => recorded.get(x.id)?.id !== x.r.attemptId)).toEqual([]);
    const unrecorded = results.filter((x) => x.r.attemptId === null);
    expect([...recorded.values()].filter((v) => v.withoutHistory).length).toBe(unrecorded.length - journal.dropped);
    await store.close();
    journal.close();
  });
});
