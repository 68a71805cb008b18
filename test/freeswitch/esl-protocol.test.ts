import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EslParser, executeApp, parsePlainEvent, safeArg } from '../../src/freeswitch/esl-protocol.js';
import { hangupOutcome } from '../../src/freeswitch/esl-outcomes.js';
import { outboundRequest } from '../../src/freeswitch/outbound-request.js';
import { cutAt } from '../helpers.js';
import { captured } from './fake-freeswitch.js';

function parseAll(chunks: Buffer[]) {
  const parser = new EslParser();
  return chunks.flatMap((c) => parser.push(c));
}

const summary = (m: { headers: ReadonlyMap<string, string>; body: Buffer }) => {
  const type = m.headers.get('Content-Type');
  if (type === 'text/event-plain') {
    const e = parsePlainEvent(m.body);
    return `event ${e.get('Event-Name')}${e.get('Application') ? ` ${e.get('Application')}` : ''}`;
  }
  if (type === 'text/disconnect-notice') return `notice ${m.headers.get('Content-Disposition')}`;
  return `${type} ${m.headers.get('Reply-Text') ?? ''}`.trim();
};

describe('Event Socket parsing, replaying FreeSWITCH 1.10.12 chunk for chunk', () => {
  it('outbound-continue: connect data, replies sharing reads with events, an event split across reads', () => {
    const msgs = parseAll(captured('outbound-continue', 'fs-to-node'));
    expect(msgs.map(summary)).toEqual([
      'command/reply +OK', 'command/reply +OK Events Enabled', 'command/reply +OK will linger', 'event CHANNEL_PARK',
      'command/reply +OK', 'command/reply +OK', 'event CHANNEL_EXECUTE set', 'event CHANNEL_EXECUTE_COMPLETE set',
      'event CHANNEL_EXECUTE export', 'event CHANNEL_EXECUTE_COMPLETE export', 'command/reply +OK', 'command/reply +OK bye',
      'notice disconnect',
    ]);
    const data = msgs[0]!.headers;
    expect(data.get('Unique-ID')).toBe('9c597101-7648-4a7b-bb23-d11ab0afa678');
    expect(data.get('Caller-Caller-ID-Number')).toBe('0612345678');
    expect(data.get('Channel-Callee-ID-Name')).toBe('Outbound Call');
    expect(data.get('variable_current_application_data')).toBe('127.0.0.1:8084 async full');
    expect(data.get('Reply-Text')).toBe('+OK\n');
    expect(data.get('Socket-Mode')).toBe('async');
    expect(data.get('Control')).toBe('full');
    const complete = parsePlainEvent(msgs[7]!.body);
    expect(complete.get('Application-Data')).toBe('effective_caller_id_number=0145000000');
    expect(complete.get('Application-UUID')).toBe('e9f9bf1b-ef7a-40f0-ae11-949038f652ed');
  });

  it('outbound-hangup: the hangup events in one read and the linger notice', () => {
    const msgs = parseAll(captured('outbound-hangup', 'fs-to-node')).map(summary);
    expect(msgs.slice(-9)).toEqual([
      'event CHANNEL_HANGUP', 'event CHANNEL_UNPARK', 'event CHANNEL_EXECUTE_COMPLETE socket', 'event CHANNEL_STATE',
      'event CHANNEL_STATE', 'event CHANNEL_HANGUP_COMPLETE', 'notice linger', 'command/reply +OK bye', 'notice disconnect',
    ]);
  });

  it('parses the same messages whatever the chunking (property)', () => {
    const stream = Buffer.concat(captured('outbound-continue', 'fs-to-node'));
    const whole = parseAll([stream]).map(summary);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (cuts) => {
      expect(parseAll(cutAt(stream, cuts)).map(summary)).toEqual(whole);
    }), { numRuns: 300 });
  });

  it('the inbound capture gives each leg\'s outcome; the A-leg is the socket call', () => {
    const events = parseAll(captured('inbound-continue', 'fs-to-node'))
      .filter((m) => m.headers.get('Content-Type') === 'text/event-plain').map((m) => parsePlainEvent(m.body));
    const outcomes = events.map((e) => hangupOutcome(e, new Date(0))).filter((o) => o !== null);
    expect(outcomes).toContainEqual({
      key: { pbxUniqueId: '9c597101-7648-4a7b-bb23-d11ab0afa678' },
      outcome: { status: 'answered', hangupCause: 16, durationSeconds: 1, at: new Date(0) },
    });
    const rejected = parseAll(captured('inbound-hangup', 'fs-to-node'))
      .filter((m) => m.headers.get('Content-Type') === 'text/event-plain').map((m) => parsePlainEvent(m.body))
      .map((e) => hangupOutcome(e, new Date(0))).filter((o) => o !== null);
    expect(rejected.some((o) => o.outcome.status === 'rejected' && o.outcome.hangupCause === 21)).toBe(true);
  });

  it('maps channel data to the contract', () => {
    const data = new Map([
      ['Caller-Caller-ID-Number', '0612345678'], ['Caller-Destination-Number', '0145678901'], ['Unique-ID', 'u-1'],
      ['Channel-Name', 'sofia/internal/1001'], ['variable_cidgate_campaign', 'prospecting'], ['variable_cidgate_to', '0299000000'],
      ['variable_cidgate_consent', 'proof:7'], ['variable_cidgate_consent_anytime', 'true'], ['variable_cidgate_zone', '974'],
      ['variable_cidgate_tz', 'Indian/Reunion'], ['variable_cidgate_agent', 'a1'], ['variable_cidgate_lead', 'L9'],
    ]);
    expect(outboundRequest(data)).toEqual({ invalidHints: [], call: {
      campaign: 'prospecting', from: '0612345678', to: '0299000000', zone: '974', timeZone: 'Indian/Reunion', consent: 'proof:7',
      consentAnytime: true, pbx: { source: 'freeswitch', channel: 'sofia/internal/1001', uniqueId: 'u-1', agent: 'a1', lead: 'L9' },
    } });
  });

  it('reads the hint variables through the call schema: cidgate_consent=yes is a yes, a malformed hint is ignored and named', () => {
    const request = (vars: Record<string, string>) => outboundRequest(new Map(Object.entries(vars).map(([k, v]) => [`variable_cidgate_${k}`, v])));
    expect(request({ consent: 'yes', consent_anytime: 'true' })).toMatchObject({ call: { consent: true, consentAnytime: true }, invalidHints: [] });
    expect(request({ consent: 'false' })).toMatchObject({ call: { consent: null }, invalidHints: [] });
    const bad = request({ consent: 'oui', consent_anytime: 'y', tz: 'x'.repeat(65), lead: 'L9' });
    expect(bad).toMatchObject({ call: { consent: null, consentAnytime: false, timeZone: null, pbx: { lead: 'L9' } } });
    expect(bad.invalidHints.map((h) => h.field)).toEqual(['consent', 'consentAnytime', 'tz']);
  });

  it('no value can inject a header, a command or a variable expansion (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (value) => {
      const msg = executeApp('set', `cidgate_reason=${safeArg(value)}`, 'u');
      const lines = msg.split('\n');
      expect(lines.length).toBe(7); // sendmsg, 4 headers, blank, terminator
      expect(msg).not.toMatch(/[$%{}\r]/);
    }), { numRuns: 3000 });
  });

  it.each([
    ['an over-long header block', Buffer.alloc(70 * 1024, 0x41), /header block over/],
    ['a bad Content-Length', Buffer.from('Content-Length: -5\n\n'), /bad Content-Length/],
    ['a huge Content-Length', Buffer.from('Content-Length: 999999999\n\n'), /body over/],
    ['a header line without a colon', Buffer.from('garbage\n\n'), /malformed header/],
  ])('rejects %s', (_n, bytes, pattern) => {
    expect(() => new EslParser().push(bytes)).toThrow(expect.objectContaining({ code: 'ESL_PROTOCOL_ERROR', message: expect.stringMatching(pattern) }));
  });
});
