import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { describeIfAvailable } from '../requires.js';
import { createDatabase, dropDatabase, testDatabaseUrl } from '../store/stores.js';

const MONDAY = '2026-11-30T11:00:00+01:00';

// The record-keeping and reading commands through the CLI with --db postgresql://… (a schema per
// test): test/cli/cli.test.ts runs them on SQLite.
describeIfAvailable('PostgreSQL', testDatabaseUrl !== null, 'set CIDGATE_TEST_DATABASE_URL=postgresql://root@localhost/postgres (bash .ci/run does)')(
  'the commands on PostgreSQL', () => {
    let db: string;
    let dir: string;
    beforeEach(async () => {
      db = await createDatabase(testDatabaseUrl!);
      dir = mkdtempSync(join(tmpdir(), 'cidgate-cli-pg-'));
    });
    afterEach(async () => {
      await dropDatabase(testDatabaseUrl!, db);
      rmSync(dir, { recursive: true, force: true });
    });

    const cli = async (...args: string[]) => {
      const r = await runCli([...args, '--db', db]);
      expect(r.code, r.err).toBe(0);
      return r.out;
    };
    const decide = async (to: string, ...extra: string[]) =>
      JSON.parse(await cli('check', '--to', to, '--campaign', 'prospecting', '--at', MONDAY, '--json', ...extra)) as { action: string; reasons: string[] };

    it('refuse, consent add / revoke / import and dnc add / remove / import feed the decisions', async () => {
      expect(await cli('refuse', '0145678901', '--at', '2026-11-01T10:00:00Z')).toMatch(/^refusal recorded for \+33145678901/);
      expect((await decide('0145678901', '--consent')).reasons).toEqual(['refused-recently']);

      expect(await cli('consent', 'add', '0145678902', '--source', 'form-7', '--at', '2026-09-01T00:00:00Z')).toMatch(/^consent recorded/);
      expect((await decide('0145678902')).action).toBe('rewrite');
      expect(await cli('consent', 'revoke', '0145678902', '--at', '2026-10-01T00:00:00Z')).toMatch(/^consent revoked/);
      expect((await decide('0145678902')).reasons).toEqual(['no-consent']);
      const consents = join(dir, 'consents.csv');
      writeFileSync(consents, 'number,at,source,anytime\n0145678903,2026-10-15T00:00:00Z,import-1,no\n0145678904,2026-10-16T00:00:00Z,import-1,yes\n');
      expect(await cli('consent', 'import', consents)).toBe('2 consents imported\n');
      expect((await decide('0145678904')).action).toBe('rewrite');

      expect(await cli('dnc', 'add', '0145678903', '--at', '2026-11-01T00:00:00Z')).toBe('1 added to the do-not-call list\n');
      expect((await decide('0145678903')).reasons).toEqual(['do-not-call']);
      expect(await cli('dnc', 'remove', '0145678903')).toBe('+33145678903 removed from the do-not-call list\n');
      expect((await decide('0145678903')).action).toBe('rewrite');
      const dnc = join(dir, 'dnc.csv');
      writeFileSync(dnc, 'numero\n01 45 67 89 03\n0299000000\n');
      expect(await cli('dnc', 'import', dnc, '--at', '2026-11-01T00:00:00Z')).toBe('2 numbers read, 2 added to the do-not-call list\n');
      expect((await decide('0145678903')).reasons).toEqual(['do-not-call']);
    });

    it('privacy export, report --format json and purge read and delete what was recorded there', async () => {
      for (const at of ['2026-08-24T11:00', '2026-11-20T11:00', '2026-11-27T11:00']) {
        await cli('check', '--campaign', 'prospecting', '--from', '0612345678', '--to', '0145678901', '--consent', 'form-9', '--record', '--at', at);
      }
      await cli('consent', 'add', '0145678901', '--source', 'web-form-17', '--at', '2026-03-02T10:00');
      await cli('refuse', '0145678901', '--at', '2026-11-28T10:00');

      const out = join(dir, 'consumer.json');
      await cli('privacy', 'export', '01 45 67 89 01', '--out', out);
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      expect(doc.attempts.map((a: { at: string }) => a.at)).toEqual(['2026-08-24T09:00:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-27T10:00:00.000Z']);
      expect(doc.consents).toMatchObject([{ kind: 'given', source: 'web-form-17' }]);
      expect(doc.refusals).toHaveLength(1);
      expect(doc.doNotCall).toBeNull();

      const report = JSON.parse(await cli('report', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'json', '--at', '2026-12-01T00:00:00Z'));
      expect(report.summary).toMatchObject({ decided: 2, rewritten: 2 });

      // The August decision, and the pool usage of its day and of the two November days (caps count today only).
      expect(await cli('purge', '--older-than', '30', '--at', '2026-11-30T11:00')).toMatch(/^4 rows deleted, decisions before Fri 30 Oct 2026/);
      expect(JSON.parse(await cli('privacy', 'export', '0145678901')).attempts).toHaveLength(2);
    });
  });
