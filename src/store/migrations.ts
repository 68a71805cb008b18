/** Versioned schema. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,                -- ms since epoch
        campaign TEXT NOT NULL,
        purpose TEXT,
        source TEXT,                        -- asterisk, freeswitch, sip, cli
        channel TEXT,
        pbx_unique_id TEXT,
        agent TEXT,
        lead TEXT,
        original_caller_id TEXT,
        presented_caller_id TEXT,
        callee TEXT,                        -- E.164
        area TEXT,
        action TEXT NOT NULL,               -- allow, rewrite, block
        reasons TEXT NOT NULL,              -- comma-separated codes
        retry_at INTEGER,
        counted INTEGER NOT NULL,           -- 1: an attempt (allowed or rewritten); 0: blocked, audit only
        consent_ref TEXT,
        outcome TEXT,
        hangup_cause INTEGER,
        duration_s INTEGER,
        outcome_at INTEGER
      );
      CREATE UNIQUE INDEX decisions_pbx_unique_id ON decisions (pbx_unique_id) WHERE pbx_unique_id IS NOT NULL;
      CREATE INDEX decisions_callee_at ON decisions (callee, at) WHERE counted = 1;
      CREATE INDEX decisions_at ON decisions (at);

      CREATE TABLE number_usage (
        day TEXT NOT NULL,
        number TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, number)
      ) WITHOUT ROWID;

      CREATE TABLE consents (
        number TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        source TEXT,
        anytime INTEGER NOT NULL DEFAULT 0,
        revoked_at INTEGER
      );

      CREATE TABLE refusals (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        at INTEGER NOT NULL,
        campaign TEXT
      );
      CREATE INDEX refusals_number_at ON refusals (number, at);

      CREATE TABLE do_not_call (
        number TEXT PRIMARY KEY,
        added_at INTEGER NOT NULL,
        source TEXT
      ) WITHOUT ROWID;
    `,
  },
  {
    // What the compliance report's proofs read back per decision: the campaign's dialing and legal
    // basis when it was decided, and whether the consumer's consent to calls at any hour exempted it.
    version: 2,
    sql: `
      ALTER TABLE decisions ADD COLUMN dialing TEXT;
      ALTER TABLE decisions ADD COLUMN basis TEXT;
      ALTER TABLE decisions ADD COLUMN consent_anytime INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // Two changes released together as version 3 (every file at version 3 has both):
    // - decisions made under onStoreError, replayed from the journal once the store recovered, are
    //   flagged as decided without history; the journal entry's id makes the replay idempotent;
    // - consent is kept as dated events, so that the consent in force at any instant can be read
    //   back (a decision is made on what was on record at the call's instant, not the latest state).
    version: 3,
    sql: `
      ALTER TABLE decisions ADD COLUMN without_history INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE decisions ADD COLUMN journal_id TEXT;
      CREATE UNIQUE INDEX decisions_journal_id ON decisions (journal_id) WHERE journal_id IS NOT NULL;

      CREATE TABLE consent_events (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('given', 'revoked')),
        source TEXT,
        anytime INTEGER NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX consent_events_number_at_kind ON consent_events (number, at, kind);
      INSERT INTO consent_events (number, at, kind, source, anytime) SELECT number, at, 'given', source, anytime FROM consents;
      INSERT INTO consent_events (number, at, kind) SELECT number, revoked_at, 'revoked' FROM consents WHERE revoked_at IS NOT NULL;
      DROP TABLE consents;
    `,
  },
  {
    // The consumer's history read on every decision (each counted attempt's instant, campaign and
    // purpose; the last number presented) comes from the index alone, without a table lookup per
    // attempt: it replaces decisions_callee_at, which it covers.
    version: 4,
    sql: `
      CREATE INDEX decisions_callee_history ON decisions (callee, at, campaign, purpose, presented_caller_id) WHERE counted = 1;
      DROP INDEX decisions_callee_at;
    `,
  },
  {
    // A PBX retry was answered from this row: the PBX had its decision. A row committed after its
    // call was answered by onStoreError (PostgreSQL: the wait ran out before the COMMIT came back)
    // takes the journaled decision at replay, unless a retry had this one meanwhile.
    version: 5,
    sql: `
      ALTER TABLE decisions ADD COLUMN retried INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // The node that decided (config nodeName): the dashboard of any node shows the whole center's
    // decisions, each with its node. Rows from before it have none.
    version: 6,
    sql: `
      ALTER TABLE decisions ADD COLUMN node TEXT;
    `,
  },
];
