import { CidgateError } from '../errors.js';

/**
 * Real sessions hold about 1 KiB each (an environment or header block), so 10,000 deciding at once
 * stay under it; 5,000 abusive ones at the per-session caps would hold 360 MiB. Measured: the
 * process's RSS grows about three times what the sessions hold (strings, garbage not yet collected).
 */
export const SESSION_BUFFER_BUDGET_BYTES = 16 * 1024 * 1024;

/** A session holding bytes of a message not yet complete; `evict` closes it. */
export interface BufferHolder {
  evict(err: Error): void;
}

/**
 * One budget for the bytes every PBX session (FastAGI, Event Socket) buffers while a message is
 * incomplete: each cap bounds one session, this bounds them all. A session reports what it holds
 * after every read; when the total goes over the budget, the session holding the most is closed
 * (BUFFER_BUDGET_EXCEEDED, logged by its listener) — never the process, rarely an honest session.
 */
export class BufferBudget {
  private total = 0;
  private readonly held = new Map<BufferHolder, number>();

  constructor(readonly limitBytes = SESSION_BUFFER_BUDGET_BYTES) {}

  /** Bytes buffered by all sessions now. */
  get bytes(): number {
    return this.total;
  }

  /** Sets what `holder` buffers now, closing the largest holders while the total is over the budget. */
  update(holder: BufferHolder, bytes: number): void {
    this.total += bytes - (this.held.get(holder) ?? 0);
    if (bytes === 0) this.held.delete(holder);
    else this.held.set(holder, bytes);
    while (this.total > this.limitBytes) {
      let largest: BufferHolder | null = null;
      let most = 0;
      for (const [h, b] of this.held) if (b > most) { largest = h; most = b; }
      if (!largest) break;
      this.release(largest);
      largest.evict(new CidgateError('BUFFER_BUDGET_EXCEEDED', [this.limitBytes, most], { bytes: most, limitBytes: this.limitBytes }));
    }
  }

  release(holder: BufferHolder): void {
    this.total -= this.held.get(holder) ?? 0;
    this.held.delete(holder);
  }
}

/** The process's budget, shared by every listener. */
export const sessionBuffers = new BufferBudget();
