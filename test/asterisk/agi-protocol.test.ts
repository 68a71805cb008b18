import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvReader, LineSplitter, ResponseReader, quoteAgi, setVariables, type AgiResponse } from '../../src/asterisk/agi-protocol.js';
import { parseAgiRequest } from '../../src/asterisk/agi-request.js';
import { cutAt } from '../helpers.js';
import { AsteriskChannel, agiArgs } from '../../bench/asterisk-channel.js';
import { loadTranscript } from './fake-asterisk.js';

/** Feeds what Asterisk sent, chunk by chunk as captured, through the parsers. */
function replay(name: string) {
  const splitter = new LineSplitter();
  const env = new EnvReader();
  const responses = new ResponseReader();
  const answers: (AgiResponse | 'hangup')[] = [];
  for (const entry of loadTranscript(name)) {
    if (entry.dir !== 'in') continue;
    for (const line of splitter.push(Buffer.from(entry.data, 'latin1'))) {
      if (!env.complete) env.push(line);
      else {
        const a = responses.push(line);
        if (a !== null) answers.push(a);
      }
    }
  }
  return { env: env.env, answers };
}

describe('FastAGI parsing, replaying Asterisk 22 byte for byte', () => {
  it('reads the environment block split across two reads, values with ":" and spaces intact', () => {
    const { env } = replay('fastagi-commands.jsonl');
    expect(env.get('agi_request')).toBe('agi://127.0.0.1:4573/cidgate?x=1');
    expect(env.get('agi_arg_1')).toBe('campaign:42');
    expect(env.get('agi_arg_2')).toBe('arg two');
    expect(env.get('agi_channel')).toBe('Local/0145678901@outbound-0000000a;2');
    expect(env.get('agi_calleridname')).toBe('Agent Smith');
    expect(env.get('agi_accountcode')).toBe('');
    expect(env.get('agi_uniqueid')).toBe('1795821623.21');
    expect(env.size).toBe(24);
  });

  it('reads every kind of answer: values, unset, unescaped quotes, 510, the two-read 520, HANGUP', () => {
    const { answers } = replay('fastagi-commands.jsonl');
    expect(answers.map((a) => (a === 'hangup' ? 'HANGUP' : [a.code, a.result, a.data]))).toEqual([
      [200, '1', '0612345678'], [200, '1', 'Agent Smith'], [200, '1', null], [200, '1', null],
      [200, '1', 'mobile caller id; "quoted"'], [200, '0', null], [200, '0', null], [510, null, null],
      [520, null, null], 'HANGUP',
    ]);
    const usage = answers[8] as AgiResponse;
    expect(usage.text).toBe('520-Invalid command syntax.  Proper usage follows:\nSets a variable to the current channel.\n520 End of proper usage.');
  });

  it('sees the unsolicited HANGUP of a caller hanging up, and the answers that still follow', () => {
    const { answers } = replay('fastagi-caller-hangs-up.jsonl');
    // In the capture, HANGUP arrives before any command: the env reader has finished, so it is an answer-side line.
    expect(answers.map((a) => (a === 'hangup' ? 'HANGUP' : a.code))).toEqual(['HANGUP', 200, 200, 200, 200, 'HANGUP']);
  });

  it('quotes exactly as the captured server did, and Asterisk unescaped it', () => {
    const sent = loadTranscript('fastagi-commands.jsonl').filter((e) => e.dir === 'out').map((e) => e.data);
    expect(sent).toContain(`SET VARIABLE CIDGATE_REASON ${quoteAgi('mobile caller id; "quoted"')}\n`);
    expect(sent).toContain(`SET VARIABLE CALLERID(num) ${quoteAgi('0145000000')}\n`);
  });

  it('no value can break out of its argument or its line (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (value) => {
      const line = setVariables([['CIDGATE_REASON', value], ['CIDGATE_ACTION', 'allow']]);
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(line).not.toMatch(/[\r\0]/);
      expect(agiArgs(line.slice(0, -1))).toHaveLength(4);
      const ch = new AsteriskChannel();
      ch.command(line.slice(0, -1));
      expect([...ch.variables]).toEqual([['CIDGATE_REASON', value.replace(/[\x00-\x1f\x7f]/g, ' ')], ['CIDGATE_ACTION', 'allow']]);
    }), { numRuns: 3000 });
    expect(quoteAgi('a"b\\c\nEXEC Dial x')).toBe('"a\\"b\\\\c EXEC Dial x"');
  });

  it('the line splitter never depends on chunk boundaries (property)', () => {
    const stream = loadTranscript('fastagi-commands.jsonl').filter((e) => e.dir === 'in').map((e) => e.data).join('');
    const whole = new LineSplitter().push(Buffer.from(stream, 'latin1'));
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 30 }), (cuts) => {
      const s = new LineSplitter();
      const lines = cutAt(Buffer.from(stream, 'latin1'), cuts).flatMap((chunk) => s.push(chunk));
      expect(lines).toEqual(whole);
    }), { numRuns: 500 });
  });

  it.each([
    ['a line over the limit', () => new LineSplitter().push(Buffer.alloc(9000, 0x41)), /longer than/],
    ['a NUL byte', () => new LineSplitter().push(Buffer.from('agi_x: a\0b\n')), /NUL/],
    ['a line with no colon', () => new EnvReader().push('garbage line'), /malformed environment line/],
    ['a key that is not agi_*', () => new EnvReader().push('Content-Type: text/html'), /malformed environment key/],
    ['an empty block', () => new EnvReader().push(''), /empty environment/],
    ['an environment over 64 KB (sixteen 8 KB lines)', () => {
      const env = new EnvReader();
      for (let i = 0; i < 16; i++) env.push(`agi_arg_${i}: ${'x'.repeat(8000)}`);
    }, /environment block over 65536 bytes/],
    ['an answer that is not one', () => new ResponseReader().push('hello'), /malformed command answer/],
  ])('rejects %s with a protocol error', (_name, fn, pattern) => {
    expect(fn).toThrow(expect.objectContaining({ code: 'AGI_PROTOCOL_ERROR', message: expect.stringMatching(pattern) }));
  });

  it('maps the environment to the dialplan contract', () => {
    const env = new Map([
      ['agi_network_script', 'check'], ['agi_callerid', '0612345678'], ['agi_extension', '0145678901'],
      ['agi_uniqueid', '17.3'], ['agi_channel', 'PJSIP/agent-01'], ['agi_arg_1', 'prospecting'],
      ['agi_arg_2', 'to=+33 1 45 67 89 02'], ['agi_arg_3', 'consent=form:42=ok'], ['agi_arg_4', 'agent=Zoé'],
      ['agi_arg_5', 'bogus'], ['agi_arg_6', 'consent_anytime=1'], ['agi_arg_7', 'zone=974'],
    ]);
    const r = parseAgiRequest(env);
    expect(r).toMatchObject({
      script: 'check', ignored: ['bogus'],
      call: { campaign: 'prospecting', from: '0612345678', to: '+33 1 45 67 89 02', consent: 'form:42=ok', consentAnytime: true, zone: '974',
        pbx: { source: 'asterisk', uniqueId: '17.3', channel: 'PJSIP/agent-01', agent: 'Zoé' } },
    });
    expect(parseAgiRequest(new Map([['agi_callerid', 'unknown'], ['agi_arg_1', 'c'], ['agi_arg_2', 'consent=0']]))).toMatchObject({ call: { from: null, consent: null } });
    expect(parseAgiRequest(new Map([['agi_network_script', 'outcome?x'], ['agi_uniqueid', 'u'], ['agi_arg_1', 'dialstatus=BUSY'], ['agi_arg_2', 'hangupcause=17'], ['agi_arg_3', 'answeredtime=']])))
      .toEqual({ script: 'outcome', uniqueId: 'u', ignored: [], outcome: { status: 'busy', hangupCause: 17, durationSeconds: null } });
  });

  it('reads the hints through the call schema: consent=yes is a yes, not a proof reference; a malformed hint is ignored and named', () => {
    const check = (...args: string[]) => parseAgiRequest(new Map([['agi_network_script', 'check'], ['agi_arg_1', 'c'], ...args.map((a, i): [string, string] => [`agi_arg_${i + 2}`, a])]));
    expect(check('consent=yes', 'consent_anytime=YES')).toMatchObject({ call: { consent: true, consentAnytime: true }, invalidHints: [] });
    expect(check('consent=no')).toMatchObject({ call: { consent: null }, invalidHints: [] });
    const bad = check('consent=oui', 'consent_anytime=maybe', 'zone=far-too-long-zone', 'agent=Zoé');
    expect(bad).toMatchObject({ call: { consent: null, consentAnytime: false, zone: null, pbx: { agent: 'Zoé' } } });
    expect(bad.script === 'check' && bad.invalidHints.map((h) => h.field)).toEqual(['consent', 'consentAnytime', 'zone']);
  });
});
