import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example } from '../helpers.js';

// What only SQLite has (its file); every store behaviour is in contract.test.ts, run on each store.
describe('SQLite store file', () => {
  it('migrates a fresh file and reopens an existing one intact', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cidgate-store-')), 'test.db');
    const store = new SqliteStore(file);
    const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
    await gateway.check({ campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true }, { record: true });
    await store.close();
    const reopened = new SqliteStore(file);
    let n = 0;
    for await (const _ of reopened.attempts({})) n++;
    expect(n).toBe(1);
    expect(reopened.integrityCheck()).toBe('ok');
    await reopened.close();
  });
});
