import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.js';

// A file's user_version (or PostgreSQL's schema version) names the migrations it has: two with one
// number would let a database at that version miss one of them for ever.
describe.each([['SQLite', MIGRATIONS], ['PostgreSQL', PG_MIGRATIONS]] as const)('%s migrations', (_, migrations) => {
  it('are numbered 1, 2, 3… with no gap and no number twice', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_m, i) => i + 1));
  });
});
