import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite.js';

/** The i-th of `consumers` fictitious metropolitan fixed numbers, E.164. */
export function consumer(i: number): string {
  return `+3314${String(i).padStart(7, '0')}`;
}

/**
 * Fills a database with `attempts` counted decisions spread over `consumers` consumers and the
 * last 90 days, as the service would have written them (same schema, same indexes): in the order
 * of time, unique ids rising as a PBX's do, consumers at random. Written in that order the table
 * and its time and unique-id indexes only grow at their end, as in production, and 10 M attempts
 * fill in minutes less than in random order.
 */
export async function prefill(file: string, attempts: number, consumers: number, now: Date): Promise<void> {
  await new SqliteStore(file).close(); // creates and migrates
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576'); // 1 GiB: the consumer index (750 MB at 10 M) stays in memory while it fills
  const insert = db.prepare(
    `INSERT INTO decisions (at, campaign, purpose, source, channel, pbx_unique_id, agent, original_caller_id,
       presented_caller_id, callee, area, action, reasons, counted, outcome, hangup_cause, duration_s)
     VALUES (?, 'prospecting', 'prospecting', 'asterisk', 'PJSIP/agent-0001', ?, 'agent-1', '+33612345678',
       '+33162000001', ?, '{"country":"FR","zone":"1"}', 'rewrite', 'mobile-caller-id', 1, 'answered', 16, 42)`);
  const span = 90 * 86_400_000;
  let seed = 42;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const ats = new Float64Array(attempts);
  for (let i = 0; i < attempts; i++) ats[i] = now.getTime() - Math.floor(rand() * span);
  ats.sort();
  const batch = 100_000;
  for (let start = 0; start < attempts; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(attempts, start + batch); i++) {
        insert.run(ats[i], `bench.${String(i).padStart(9, '0')}`, consumer(Math.floor(rand() * consumers)));
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
