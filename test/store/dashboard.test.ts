import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import type { Store } from '../../src/store/store.js';
import { configFrom } from '../helpers.js';
import { storesUnderTest } from './stores.js';

const AT = new Date('2026-11-30T10:00:00Z');
const configOf = (node: string) => configFrom(`
nodeName: ${node}
campaigns:
  customer: { purpose: service, dialing: manual, pool: ["0199000001"] }
`);

describe.each(storesUnderTest())('$name store: the dashboard\'s figures, every node\'s, each decision with its node', (sut) => {
  let store: Store;

  beforeEach(async () => { store = await sut.open(); });
  afterEach(async () => {
    await store.close();
    await sut.cleanup();
  });

  /** A decision recorded through the gateway of node `node`, at `at`. */
  const record = (node: string, at: Date, extra: Record<string, unknown> = {}) =>
    new Gateway(configOf(node), store, { now: () => at }, silentLogger)
      .check({ campaign: 'customer', from: '0612345678', to: '0145678901', pbx: { source: 'asterisk', lead: '42' }, ...extra }, { record: true });

  it('counts per minute and action and blocks per reasons from an instant on, and lists the last decisions with their node', async () => {
    await record('pbx-a', new Date(AT.getTime() - 60_000));
    await record('pbx-a', AT);
    await record('pbx-b', new Date(AT.getTime() + 30_000));
    await record('pbx-b', new Date(AT.getTime() + 61_000), { campaign: 'nope' });
    const f = await store.dashboard(AT, 3);
    const minute = AT.getTime();
    expect([...f.perMinute].sort((a, b) => a.minute - b.minute || a.action.localeCompare(b.action)))
      .toEqual([{ minute, action: 'rewrite', count: 2 }, { minute: minute + 60_000, action: 'block', count: 1 }]);
    expect(f.blocks).toEqual([{ reasons: 'unknown-campaign', count: 1 }]);
    expect(f.recent.map((r) => [r.node, r.campaign, r.action, r.at.toISOString()])).toEqual([
      ['pbx-b', 'nope', 'block', new Date(AT.getTime() + 61_000).toISOString()],
      ['pbx-b', 'customer', 'rewrite', new Date(AT.getTime() + 30_000).toISOString()],
      ['pbx-a', 'customer', 'rewrite', AT.toISOString()],
    ]);
    expect(f.recent[1]).toMatchObject({ presentedCallerId: '+33199000001', callee: '+33145678901', source: 'asterisk', lead: '42' });
  });

  it('keeps the node of a decision journaled during an outage and replayed later', async () => {
    const decided = await record('pbx-c', AT, { to: '0145678902' });
    await store.recordJournaled([{ journalId: 'j-1', decision: { ...decided.decision, callee: '+33145678903' }, pbx: { source: 'asterisk', node: 'pbx-c' }, day: '2026-11-30', attemptId: null }], []);
    const f = await store.dashboard(AT, 10);
    expect(f.recent.map((r) => [r.node, r.callee])).toEqual([['pbx-c', '+33145678903'], ['pbx-c', '+33145678902']]);
  });
});
