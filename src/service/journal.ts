import { closeSync, fdatasync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import type { Logger } from '../log.js';
import type { Decision, PbxIds } from '../model/types.js';
import type { Area } from '../numbers/area.js';
import type { AttemptKey, JournaledDecision, JournaledOutcome, Outcome } from '../store/store.js';
import type { StoreTarget } from '../store/database-url.js';

/** How often appended entries are forced to disk: one fdatasync for every entry of the interval. */
const SYNC_EVERY_MS = 20;
/** Past this size new entries are refused (and counted): an outage cannot fill the disk through the journal. */
const MAX_BYTES = 64 * 1024 * 1024;

type Line =
  | {
    kind: 'decision'; id: string; day: string; pbx: PbxIds; decision: Omit<Decision, 'at' | 'retryAt'> & { at: number; retryAt: number | null };
    /** Absent from entries written before it existed. */
    attemptId?: number | null;
  }
  | { kind: 'outcome'; id: string; key: AttemptKey; outcome: Omit<Outcome, 'at'> & { at: number } };

/**
 * Where a node keeps its journal: `store.journal` when set, else next to a SQLite file, else
 * `cidgate.journal` in the working directory (PostgreSQL: each node needs its own).
 */
export function journalPath(configured: string | null, target: StoreTarget): string {
  return configured ?? (target.kind === 'sqlite' ? `${target.file}.journal` : 'cidgate.journal');
}

/**
 * An append-only file for what the database could not take: decisions made under `onStoreError`
 * (without history) and outcomes. Each entry is written at once (a process crash loses nothing) and
 * forced to disk with the others of the same 20 ms; the gateway replays the file into the store
 * once it recovers, then empties it. Entry ids make the replay idempotent: a crash between the
 * store's commit and the emptying replays the same entries again, and nothing is counted twice.
 */
export class Journal {
  private readonly fd: number;
  private readonly prefix = `${process.pid}-${Date.now().toString(36)}`;
  private seq = 0;
  private bytes: number;
  private entries: number;
  private syncTimer: NodeJS.Timeout | null = null;
  /** Entries refused because the journal was full or could not be written. */
  dropped = 0;
  private failing = false;

  constructor(readonly path: string, private readonly log: Logger, private readonly maxBytes = MAX_BYTES) {
    this.fd = openSync(path, 'a+');
    this.bytes = statSync(path).size;
    // A crash in the middle of a write leaves a line without its end: close it so the next one stands alone.
    if (this.bytes > 0 && !readFileSync(path).subarray(-1).equals(Buffer.from('\n'))) this.bytes += writeSync(this.fd, '\n');
    this.entries = this.bytes === 0 ? 0 : this.read().length;
  }

  /** Entries waiting to be replayed. */
  get pending(): number {
    return this.entries;
  }

  /** `attemptId`: the id under which the store may still commit the call's own row (see pendingAttemptId). */
  appendDecision(decision: Decision, pbx: PbxIds, day: string, attemptId: number | null = null): boolean {
    const { at, retryAt, ...rest } = decision;
    return this.append({ kind: 'decision', id: this.nextId(), day, pbx, attemptId, decision: { ...rest, at: at.getTime(), retryAt: retryAt?.getTime() ?? null } });
  }

  appendOutcome(key: AttemptKey, outcome: Outcome): boolean {
    const { at, ...rest } = outcome;
    return this.append({ kind: 'outcome', id: this.nextId(), key, outcome: { ...rest, at: at.getTime() } });
  }

  /** Everything written so far, decisions first (so an outcome finds its decision); a torn last line is skipped. */
  read(): { decisions: JournaledDecision[]; outcomes: JournaledOutcome[]; length: number } {
    const decisions: JournaledDecision[] = [];
    const outcomes: JournaledOutcome[] = [];
    for (const text of readFileSync(this.path, 'utf8').split('\n')) {
      if (text === '') continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue; // the end of a write cut by a crash
      }
      if (line.kind === 'decision') {
        const d = line.decision;
        decisions.push({ journalId: line.id, day: line.day, pbx: line.pbx, attemptId: line.attemptId ?? null, decision: { ...d, area: d.area as Area | null, at: new Date(d.at), retryAt: d.retryAt === null ? null : new Date(d.retryAt) } });
      } else {
        outcomes.push({ journalId: line.id, key: line.key, outcome: { ...line.outcome, at: new Date(line.outcome.at) } });
      }
    }
    return { decisions, outcomes, length: decisions.length + outcomes.length };
  }

  /** Empties the journal once everything read has been replayed (appends in between are read again first). */
  clear(replayed: number): boolean {
    if (replayed !== this.entries) return false;
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
    this.entries = 0;
    return true;
  }

  close(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    closeSync(this.fd);
  }

  private nextId(): string {
    return `${this.prefix}-${this.seq++}`;
  }

  private append(line: Line): boolean {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    if (this.bytes + bytes.length > this.maxBytes) {
      if (this.dropped++ === 0) this.log.error({ event: 'journal-full', code: 'JOURNAL_FAILED', path: this.path, maxBytes: this.maxBytes }, 'journal full: entries are being dropped');
      return false;
    }
    try {
      // A full disk takes part of a line before refusing the rest: cut it off, or it would join the next one.
      if (writeSync(this.fd, bytes) !== bytes.length) {
        ftruncateSync(this.fd, this.bytes);
        throw Object.assign(new Error('no space left for a whole entry'), { code: 'ENOSPC' });
      }
    } catch (err) {
      this.dropped++;
      // Once per failing spell: a full disk refuses every entry.
      if (!this.failing) this.log.error({ event: 'journal-write-failed', code: 'JOURNAL_FAILED', path: this.path, err: { message: (err as Error).message } }, 'journal write failed: entries are being dropped');
      this.failing = true;
      return false;
    }
    this.failing = false;
    this.bytes += bytes.length;
    this.entries++;
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = null;
      fdatasync(this.fd, (err) => { if (err) this.log.error({ event: 'journal-sync-failed', code: 'JOURNAL_FAILED', err: { message: err.message } }, 'journal sync failed'); });
    }, SYNC_EVERY_MS);
    return true;
  }
}
