import type { PurgeCutoffs } from './store.js';

/** At most this many decisions share one commit, so a burst never makes one wait for long. */
export const MAX_BATCH = 256;

/** Rows per import or purge transaction: short enough that decisions never wait long behind one. */
export const CHUNK_ROWS = 5_000;

/**
 * Writes an import a chunk per transaction (`write` runs one), `between` them (SQLite lets waiting
 * decisions in), so that it never holds the write lock for long. Returns the sum of what `write` returns.
 */
export async function inChunks<T>(items: readonly T[], write: (chunk: readonly T[]) => number | Promise<number>, between?: () => Promise<void>): Promise<number> {
  let total = 0;
  for (let i = 0; i < items.length; i += CHUNK_ROWS) {
    if (i > 0 && between) await between();
    total += await write(items.slice(i, i + CHUNK_ROWS));
  }
  return total;
}

/** One store's purge statements, each deleting at most CHUNK_ROWS rows (instants in ms). */
export interface PurgeSteps {
  usageBefore(day: string): number | Promise<number>;
  /** Deletes a chunk of the table's rows older than `before`; returns how many. */
  chunkBefore(table: 'decisions' | 'refusals', before: number): number | Promise<number>;
  /** Per number every consent event before `before` but the latest, and a pseudonym's once no attempt carries it. */
  purgeableConsents(before: number): readonly number[] | Promise<readonly number[]>;
  deleteConsents(ids: readonly number[]): number | Promise<number>;
  /** Between two chunks. */
  between(): Promise<void>;
}

/** The purge in its order, a chunk at a time: returns the rows deleted. */
export async function purgeInChunks(steps: PurgeSteps, c: PurgeCutoffs): Promise<number> {
  let deleted = await steps.usageBefore(c.usageBefore);
  for (const [table, before] of [['decisions', c.decisionsBefore], ['refusals', c.refusalsBefore]] as const) {
    for (;;) {
      const n = await steps.chunkBefore(table, before.getTime());
      deleted += n;
      if (n < CHUNK_ROWS) break;
      await steps.between();
    }
  }
  // After the decisions: a pseudonym's events go once its last attempt has; read, then deleted by id.
  const consents = await steps.purgeableConsents(c.consentsBefore.getTime());
  for (let i = 0; i < consents.length; i += CHUNK_ROWS) {
    deleted += await steps.deleteConsents(consents.slice(i, i + CHUNK_ROWS));
    await steps.between();
  }
  return deleted;
}
