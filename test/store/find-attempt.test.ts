import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { decide } from '../../src/policy/decide.js';
import { EMPTY_HISTORY } from '../../src/model/types.js';
import { example } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const clock = fixedClock('2026-11-30T10:00:00Z');
const query = () => ({ callee: '+33145678901', campaign: 'customer', at: clock.now(), since: new Date('2026-10-01T00:00:00Z'), reading: 'as-of' as const, until: clock.now(), day: '2026-11-30' });
const decideCall = () => decide({ campaign: 'customer', from: null, to: '0145678901' }, EMPTY_HISTORY, example.site, example.campaigns.get('customer'), clock);

describe.each(storesUnderTest())('$name store: finding a logged decision', (kind) => {
  afterAll(() => kind.cleanup());

  it('by attempt id and by PBX unique id; null when there is none', async () => {
    const store = await kind.open();
    try {
      const r = await store.checkAndRecord(query, decideCall, { source: 'http', uniqueId: 'find-me' });
      expect(await store.findAttempt({ attemptId: r.attemptId! })).toMatchObject({ id: r.attemptId, pbxUniqueId: 'find-me', callee: '+33145678901' });
      expect(await store.findAttempt({ pbxUniqueId: 'find-me' })).toMatchObject({ id: r.attemptId });
      expect(await store.findAttempt({ attemptId: r.attemptId! + 1 })).toBeNull();
      expect(await store.findAttempt({ pbxUniqueId: 'nobody' })).toBeNull();
    } finally {
      await store.close();
    }
  });
});
