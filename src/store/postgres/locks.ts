/**
 * Transaction-scoped advisory locks on consumers and pool numbers, taken by every node of a site
 * in one global order, so two nodes never both take the 4th slot or a number's last use, and never
 * deadlock on each other.
 */

/** Advisory-lock namespaces: (namespace, key) pairs. */
const CONSUMER_LOCK = 1;
const POOL_NUMBER_LOCK = 2;

export const LOCK_SQL = `SELECT pg_advisory_xact_lock(l.ns, l.k) FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS l(ns, k, o) ORDER BY l.o`;

/** What a transaction locks for one call: its consumer, and the pool numbers it may take on its day. */
export interface LockScope {
  readonly callee: string | null;
  readonly day: string;
  readonly numbers: readonly string[];
}

/**
 * Sorted (namespace, key) pairs: every batch on every node takes its locks in the same order.
 * `taken`, when given, holds what was locked already (skipped) and receives the new pairs.
 */
export function lockKeys(scopes: readonly LockScope[], taken: Set<string> = new Set()): { ns: number[]; keys: number[]; taken: Set<string> } {
  const pairs = new Map<string, [number, number]>();
  for (const s of scopes) {
    if (s.callee !== null) pairs.set(`c${s.callee}`, [CONSUMER_LOCK, hash32(s.callee)]);
    for (const n of s.numbers) pairs.set(`p${s.day} ${n}`, [POOL_NUMBER_LOCK, hash32(`${s.day} ${n}`)]);
  }
  for (const k of taken) pairs.delete(k);
  for (const k of pairs.keys()) taken.add(k);
  const sorted = [...pairs.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { ns: sorted.map((p) => p[0]), keys: sorted.map((p) => p[1]), taken };
}

/** The consumer's lock alone (an erasure): no decision about the number reads its consent meanwhile. */
export function consumerLock(number: string): [number[], number[]] {
  return [[CONSUMER_LOCK], [hash32(number)]];
}

/** FNV-1a, as a signed 32-bit integer (an advisory-lock key); a collision only serialises two consumers. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
