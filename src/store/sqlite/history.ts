import type Database from 'better-sqlite3';
import { EMPTY_HISTORY, type History } from '../../model/types.js';
import { toHistory } from '../consumer-rows.js';
import { untilOf } from '../history-reading.js';
import type { HistoryQuery } from '../store.js';

interface ConsumerRow {
  refused_at: number | null; consent_kind: 'given' | 'revoked' | null; consent_at: number | null; consent_source: string | null;
  consent_anytime: number | null; dnc: number; last_presented: string | null;
}

/**
 * A call's history as of its own instant (and, for a recording decision, the attempts after it), read inside the check-and-record transaction: the
 * attempts a limit may count, the consumer's refusal, consent and do-not-call entry, and today's
 * uses of the pool numbers.
 */
export class SqliteHistory {
  private readonly attempts;
  private readonly consumer;
  private readonly usage;
  private readonly dataVersion;
  private today: { day: string; version: number; counts: Map<string, number> } = { day: '', version: -1, counts: new Map() };

  constructor(db: Database.Database) {
    // Every attempt a limit may count (no row limit: the count must be exact whatever else the
    // consumer received), up to the call's instant; a recording decision's until @until as well.
    this.attempts = db.prepare<{ n: string; campaign: string; since: number; at: number; until: number }, { at: number; campaign: string; purpose: string | null }>(
      `SELECT at, campaign, purpose FROM decisions
       WHERE callee = @n AND counted = 1 AND at > @since AND (at <= @at OR at < @until) AND (purpose = 'prospecting' OR campaign = @campaign)
       ORDER BY at DESC`);
    // Everything else about the consumer in one statement (each statement run costs as much as a lookup).
    // The consent in force: the latest event, a revocation first at the same instant ('revoked' >
    // 'given', the only kinds; (number, at, kind) is unique) — the unique index's order, no sort.
    this.consumer = db.prepare<{ n: string; campaign: string; at: number }, ConsumerRow>(
      `SELECT (SELECT max(at) FROM refusals WHERE number = @n AND at <= @at) AS refused_at,
              c.kind AS consent_kind, c.at AS consent_at, c.source AS consent_source, c.anytime AS consent_anytime,
              EXISTS (SELECT 1 FROM do_not_call WHERE number = @n AND added_at <= @at) AS dnc,
              (SELECT presented_caller_id FROM decisions WHERE callee = @n AND counted = 1 AND campaign = @campaign
               AND at <= @at ORDER BY at DESC LIMIT 1) AS last_presented
       FROM (SELECT 1) LEFT JOIN (
         SELECT kind, at, source, anytime FROM consent_events WHERE number = @n AND at <= @at
         ORDER BY at DESC, kind DESC LIMIT 1) c`);
    this.usage = db.prepare<[string], { number: string; count: number }>('SELECT number, count FROM number_usage WHERE day = ?');
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  read(q: HistoryQuery): History {
    if (q.callee === null) return EMPTY_HISTORY;
    const at = q.at.getTime();
    const attempts = this.attempts.all({ n: q.callee, campaign: q.campaign, since: q.since.getTime(), at, until: untilOf(q) });
    const c = this.consumer.get({ n: q.callee, campaign: q.campaign, at })!;
    return toHistory({
      attempts,
      refusedAt: c.refused_at,
      consent: c.consent_kind === null ? null : { kind: c.consent_kind, at: c.consent_at!, source: c.consent_source, anytime: c.consent_anytime === 1 },
      doNotCall: c.dnc === 1,
      lastPresented: c.last_presented,
    }, this.usageToday(q.day), at);
  }

  /**
   * Today's presentations per number, kept in memory and re-read only when the day changes or
   * another connection wrote to the database (PRAGMA data_version): exact, and one query saved
   * on nearly every decision.
   */
  private usageToday(day: string): ReadonlyMap<string, number> {
    const version = Number(this.dataVersion.get());
    if (this.today.day !== day || this.today.version !== version) {
      const counts = new Map<string, number>();
      for (const u of this.usage.all(day)) counts.set(u.number, u.count);
      this.today = { day, version, counts };
    }
    return this.today.counts;
  }

  /** A use of `number` recorded in this connection's open transaction. */
  used(number: string): void {
    this.today.counts.set(number, (this.today.counts.get(number) ?? 0) + 1);
  }

  /** Rolled back or written behind the cache's back (journal replay): read again at the next call. */
  forgetUsage(): void {
    this.today.version = -1;
  }
}
