import type { PastAttempt } from '../model/types.js';
import type { HistoryQuery } from './store.js';

/**
 * The end (ms, exclusive) of the attempts a query reads after its instant: a recording decision's
 * `until`; for an as-of reading its own instant, so that nothing later is read.
 */
export function untilOf(q: HistoryQuery): number {
  return q.reading === 'log' ? q.until.getTime() : q.at.getTime();
}

/** The attempts read, split at the call's instant: at or before it most recent first, after it oldest first (History). */
export function splitAt(read: readonly PastAttempt[], at: number): { attempts: PastAttempt[]; later: PastAttempt[] } {
  const attempts = read.filter((a) => a.at.getTime() <= at).sort((a, b) => b.at.getTime() - a.at.getTime());
  const later = read.filter((a) => a.at.getTime() > at).sort((a, b) => a.at.getTime() - b.at.getTime());
  return { attempts, later };
}
