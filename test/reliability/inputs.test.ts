import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmiOutcomeTracker } from '../../src/asterisk/ami-outcomes.js';
import { silentLogger } from '../../src/log.js';
import { readSecret } from '../../src/service/secrets.js';

describe('AMI events: anything asterisk-manager can hand over is handled or ignored', () => {
  it('never throws on malformed or partial events (property)', () => {
    const tracker = new AmiOutcomeTracker(() => 0);
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.constant(undefined), fc.integer());
    const event = fc.record({
      event: fc.constantFrom('DialEnd', 'Hangup', 'dialend', 'HANGUP', 'Newchannel', '', 'x'),
      uniqueid: value, dialstatus: fc.oneof(value, fc.constantFrom('ANSWER', 'BUSY', 'NOANSWER')), cause: value,
      channel: value, destchannel: value,
    }, { requiredKeys: ['event'] });
    fc.assert(fc.property(fc.array(event, { maxLength: 50 }), (events) => {
      for (const e of events) tracker.handle(e);
    }), { numRuns: 500 });
  });

  it('keeps bounded state when Hangups never come', () => {
    const tracker = new AmiOutcomeTracker(() => 0);
    for (let i = 0; i < 60_000; i++) tracker.handle({ event: 'DialEnd', uniqueid: `u${i}`, dialstatus: 'ANSWER', destchannel: `PJSIP/t-${i}` });
    expect(tracker.tracked).toBeLessThanOrEqual(50_000);
  });
});

describe('secrets', () => {
  it('come from the environment first, else a file; a world-readable file is reported, the value never', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cidgate-secret-'));
    const file = join(dir, 'ami.secret');
    writeFileSync(file, 'hunter2\n');
    chmodSync(file, 0o644);
    const logs: string[] = [];
    const log = Object.assign(Object.create(silentLogger), { warn: (o: object, m: string) => logs.push(JSON.stringify(o) + m), error: (o: object, m: string) => logs.push(JSON.stringify(o) + m) });
    expect(readSecret('CIDGATE_TEST_SECRET_UNSET', file, log)).toBe('hunter2');
    expect(logs.join()).toContain('world-readable');
    expect(logs.join()).not.toContain('hunter2');
    chmodSync(file, 0o600);
    logs.length = 0;
    readSecret('CIDGATE_TEST_SECRET_UNSET', file, log);
    expect(logs).toEqual([]);
    process.env.CIDGATE_TEST_SECRET_SET = 'from-env';
    expect(readSecret('CIDGATE_TEST_SECRET_SET', file, log)).toBe('from-env');
    delete process.env.CIDGATE_TEST_SECRET_SET;
    expect(readSecret('CIDGATE_TEST_SECRET_UNSET', null, log)).toBeNull();
    expect(readSecret('CIDGATE_TEST_SECRET_UNSET', join(dir, 'missing'), log)).toBeNull();
  });
});
