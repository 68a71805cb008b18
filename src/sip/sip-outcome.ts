import type { OutcomeStatus } from '../store/store.js';

/** Final SIP failure → recorded outcome and its Q.850 cause (RFC 3398 mapping). */
const FAILURES: Readonly<Record<number, [OutcomeStatus, number]>> = {
  486: ['busy', 17], 600: ['busy', 17], 480: ['no-answer', 19], 408: ['no-answer', 18], 487: ['cancelled', 16],
  403: ['rejected', 21], 603: ['rejected', 21], 404: ['failed', 1], 484: ['failed', 28], 604: ['failed', 1],
};

/** The outcome and Q.850 cause of a call that ended with this final SIP status. */
export function sipOutcome(status: number): [OutcomeStatus, number] {
  if (status >= 200 && status < 300) return ['answered', 16];
  return FAILURES[status] ?? ['failed', status >= 500 ? 38 : 31];
}
