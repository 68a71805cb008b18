import type Database from 'better-sqlite3';
import { inChunks } from '../chunks.js';
import { toConsumerRecords } from '../consumer-rows.js';
import type { ConsentRecord, ConsumerRecords } from '../store.js';

/** Between an import's or a purge's transactions: decisions waiting for the write lock go first. */
export const letDecisionsIn = () => new Promise<void>((r) => setImmediate(r));

/** @n the number, @at the instant (ms): a revocation, when a consent was in force then. */
export const REVOKE_CONSENT_SQL = `INSERT INTO consent_events (number, at, kind) SELECT @n, @at, 'revoked'
  WHERE (SELECT kind FROM consent_events WHERE number = @n AND at <= @at
         ORDER BY at DESC, kind DESC LIMIT 1) = 'given'`;

/** Refusals, consents and the do-not-call list: written by commands and imports, read by `privacy show`. */
export class SqliteConsumerRecords {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      addRefusal: db.prepare('INSERT INTO refusals (number, at, campaign) VALUES (?, ?, ?)'),
      giveConsent: db.prepare(
        `INSERT INTO consent_events (number, at, kind, source, anytime) VALUES (?, ?, 'given', ?, ?)
         ON CONFLICT (number, at, kind) DO UPDATE SET source = excluded.source, anytime = excluded.anytime`),
      revokeConsent: db.prepare(REVOKE_CONSENT_SQL),
      addDnc: db.prepare('INSERT OR IGNORE INTO do_not_call (number, added_at, source) VALUES (?, ?, ?)'),
      // Listed again with an earlier date (an import of older entries): it was on the list since then.
      antedateDnc: db.prepare('UPDATE do_not_call SET added_at = ?, source = ? WHERE number = ? AND added_at > ?'),
      removeDnc: db.prepare('DELETE FROM do_not_call WHERE number = ?'),
      consents: db.prepare<[string], { at: number; kind: 'given' | 'revoked'; source: string | null; anytime: number }>(
        'SELECT at, kind, source, anytime FROM consent_events WHERE number = ? ORDER BY at, id'),
      refusals: db.prepare<[string], { at: number; campaign: string | null }>('SELECT at, campaign FROM refusals WHERE number = ? ORDER BY at, id'),
      dnc: db.prepare<[string], { added_at: number; source: string | null }>('SELECT added_at, source FROM do_not_call WHERE number = ?'),
    };
  }

  addRefusal(number: string, at: Date, campaign: string | null): void {
    this.s.addRefusal.run(number, at.getTime(), campaign);
  }

  async addConsents(consents: readonly ConsentRecord[]): Promise<void> {
    await this.inTransactions(consents, (chunk) => {
      for (const c of chunk) this.s.giveConsent.run(c.number, c.at.getTime(), c.source, c.anytime ? 1 : 0);
      return 0;
    });
  }

  revokeConsent(number: string, at: Date): boolean {
    return this.s.revokeConsent.run({ n: number, at: at.getTime() }).changes > 0;
  }

  addDoNotCall(numbers: readonly string[], at: Date, source: string | null): Promise<number> {
    const ms = at.getTime();
    return this.inTransactions(numbers, (chunk) => {
      let added = 0;
      for (const n of chunk) {
        if (this.s.addDnc.run(n, ms, source).changes > 0) added++;
        else this.s.antedateDnc.run(ms, source, n, ms);
      }
      return added;
    });
  }

  removeDoNotCall(number: string): boolean {
    return this.s.removeDnc.run(number).changes > 0;
  }

  consumerRecords(number: string): ConsumerRecords {
    return toConsumerRecords(
      this.s.consents.all(number).map((c) => ({ ...c, anytime: c.anytime === 1 })), this.s.refusals.all(number), this.s.dnc.get(number));
  }

  /** A chunk per write transaction, waiting decisions let in between. */
  private inTransactions<T>(items: readonly T[], write: (chunk: readonly T[]) => number): Promise<number> {
    return inChunks(items, (chunk) => this.db.transaction(write).immediate(chunk), letDecisionsIn);
  }
}
