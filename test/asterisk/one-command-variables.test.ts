import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msetVariables, setVariables } from '../../src/asterisk/agi-protocol.js';
import { AsteriskChannel, agiArgs, appArgs } from '../../bench/asterisk-channel.js';
import { ASTERISK_FIXTURES } from './fake-asterisk.js';

interface CapturedCase {
  name: string;
  context: string;
  exchanges: { command: string; answer: string }[];
  warnings: string[];
  seen: Record<string, string>;
  calleeNum: string;
}

/** one-command-variables.log, case by case: each AGI command and answer, MSet's warnings, what the dialplan printed. */
function capturedCases(): CapturedCase[] {
  const cases: CapturedCase[] = [];
  let current: Omit<CapturedCase, 'name' | 'seen' | 'calleeNum'> = { context: '', exchanges: [], warnings: [] };
  for (const line of readFileSync(join(ASTERISK_FIXTURES, 'one-command-variables.log'), 'utf8').split('\n')) {
    const rx = /^<Local\/\d+@(\w+)-[0-9a-f]+;2>AGI Rx << (.*)$/.exec(line);
    const tx = /^<Local\/[^>]+>AGI Tx >> (.*)$/.exec(line);
    const warning = /pbx_builtin_setvar_multiple: (MSet: ignoring entry '.*' with no '=')/.exec(line);
    const v = /^V\|case=(.*?)\|agistatus=.*?\|num=(.*?)\|action=(.*?)\|callerid=(.*?)\|reason=(.*?)\|retry=(.*?)\|attempt=(.*?)\|empty=(.*?)\|last=(.*)\|lenreason=(\d+)\|end$/.exec(line);
    const s = /^S\|case=.*?\|calleenum=(.*)\|end$/.exec(line);
    if (rx) { current.context = rx[1]!; current.exchanges.push({ command: rx[2]!, answer: '' }); }
    else if (tx) current.exchanges[current.exchanges.length - 1]!.answer = tx[1]!;
    else if (warning) current.warnings.push(warning[1]!);
    else if (v) {
      const [, name, num, action, callerid, reason, retry, attempt, empty, last, lenreason] = v;
      cases.push({ name: name!, ...current, seen: { num: num!, action: action!, callerid: callerid!, reason: reason!, retry: retry!, attempt: attempt!, empty: empty!, last: last!, lenreason: lenreason! }, calleeNum: '' });
      current = { context: '', exchanges: [], warnings: [] };
    } else if (s) cases[cases.length - 1]!.calleeNum = s[1]!;
  }
  return cases;
}

/** What the capture's `Verbose(V|…)` prints for a channel: unset variables print empty, except CIDGATE_EMPTY and CIDGATE_LAST ("unset"). */
function printed(ch: AsteriskChannel): Record<string, string> {
  const v = (name: string) => ch.read(name) ?? '';
  return {
    num: v('CALLERID(num)'), action: v('CIDGATE_ACTION'), callerid: v('CIDGATE_CALLERID'), reason: v('CIDGATE_REASON'),
    retry: v('CIDGATE_RETRY_AT'), attempt: v('CIDGATE_ATTEMPT'), empty: ch.read('CIDGATE_EMPTY') ?? 'unset',
    last: ch.read('CIDGATE_LAST') ?? 'unset', lenreason: String(v('CIDGATE_REASON').length),
  };
}

const CASES = capturedCases();
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

describe('the fake Asterisk applies both of Asterisk 22\'s parsers, as captured from 22.10.1', () => {
  it('the capture holds every case its README lists', () => {
    expect(CASES.map((c) => c.name)).toEqual([
      'naive', 'dbl', 'quoted1', 'quoted2', 'innerq', 'innerq_raw', 'spaced', 'set_multi', 'pipe', 'array',
      'exec_set_array', 'six', 'packed', 'mset_extra', 'array_extra', 'six_extra', 'mset_paren_unescaped',
    ]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('case %s: same answers, same warnings, same variables', (_, c) => {
    const ch = new AsteriskChannel({ callerId: '0612345678' });
    for (const { command, answer } of c.exchanges) expect(ch.command(command).join('')).toBe(`${answer}\n`);
    if (c.context === 'tpacked') {
      // This context's dialplan (not in the capture) unpacks CIDGATE; inferred from what it printed.
      ch.exec('Set', `ARRAY(CIDGATE_ACTION,CIDGATE_CALLERID,CIDGATE_REASON,CIDGATE_RETRY_AT,CIDGATE_ATTEMPT)=${ch.read('CIDGATE')}`);
      ch.exec('Set', `CALLERID(num)=${ch.read('CIDGATE_CALLERID')}`);
    }
    expect(ch.warnings.filter((w) => w.startsWith('MSet:'))).toEqual(c.warnings);
    expect(printed(ch)).toEqual(c.seen);
    expect(ch.read('CALLERID(num)')).toBe(c.calleeNum);
  });

  it('a single-backslash comma loses the rest of the value, silently (case naive)', () => {
    const ch = new AsteriskChannel();
    expect(ch.command('SET VARIABLE ARRAY(A,B) "x\\,y,z"')).toEqual(['200 result=1\n']);
    expect([ch.read('A'), ch.read('B')]).toEqual(['x', 'y']);
  });

  it('the parsers themselves: AGI arguments and application arguments', () => {
    expect(agiArgs('SET VARIABLE X ""')).toEqual(['SET', 'VARIABLE', 'X', '']);
    expect(agiArgs('a\\ b "c d"e \\"f\\\\')).toEqual(['a b', 'c de', '"f\\']);
    expect(appArgs('a\\,b,"c,d",(e,f),[g,h],i', ',', 99)).toEqual(['a,b', 'c,d', '(e,f)', '[g,h]', 'i']);
    expect(appArgs('a,b,', ',', 99)).toEqual(['a', 'b', '']);
    expect(appArgs('n=v=w\\,x', '=', 2)).toEqual(['n', 'v=w\\,x']); // the last argument is the rest, unparsed
  });

  it('without func_strings, ARRAY() sets nothing and still answers 200 result=1; LEN() reads as unset', () => {
    const ch = new AsteriskChannel({ funcStrings: false });
    expect(ch.command('GET VARIABLE LEN(cidgate)')).toEqual(['200 result=0\n']);
    expect(ch.command(setVariables([['CIDGATE_ACTION', 'allow']]).trimEnd())).toEqual(['200 result=1\n']);
    expect(ch.variables.size).toBe(0);
    expect(new AsteriskChannel().command('GET VARIABLE LEN(cidgate)')).toEqual(['200 result=1 (7)\n']);
  });
});

describe('one command sets every value exactly', () => {
  const values = fc.array(fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: 40 }), { minLength: 1, maxLength: 8 });
  const names = ['CALLERID(num)', 'CIDGATE_ACTION', 'CIDGATE_CALLERID', 'CIDGATE_REASON', 'CIDGATE_RETRY_AT', 'CIDGATE_ATTEMPT', 'CIDGATE_X', 'CIDGATE_Y'];

  for (const [how, build] of [['SET VARIABLE ARRAY(…)', setVariables], ['EXEC MSet', msetVariables]] as const) {
    it(`${how}: any printable ASCII, empty values included, comes out of both parsers unchanged (property)`, () => {
      fc.assert(fc.property(values, (vs) => {
        const vars = vs.map((v, i) => [names[i]!, v] as const);
        const line = build(vars);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        const ch = new AsteriskChannel();
        ch.command(line.slice(0, -1));
        expect(ch.warnings).toEqual([]);
        for (const [name, value] of vars) expect(ch.read(name) ?? ch.variables.get(name)).toBe(value);
      }), { numRuns: 2000 });
    });

    it(`${how}: all 95 printable characters in one value, as in the capture`, () => {
      const ch = new AsteriskChannel();
      ch.command(build([['CIDGATE_REASON', 'mobile-caller-id,caller-id-not-owned'], ['CIDGATE_LAST', PRINTABLE], ['CIDGATE_EMPTY', '']]).slice(0, -1));
      expect([ch.read('CIDGATE_REASON'), ch.read('CIDGATE_LAST'), ch.read('CIDGATE_EMPTY')]).toEqual(['mobile-caller-id,caller-id-not-owned', PRINTABLE, '']);
    });
  }

  it('writes what the capture wrote for the same values', () => {
    const vars = [['CIDGATE_ACTION', 'rewrite'], ['CALLERID(num)', '+33145000000'], ['CIDGATE_CALLERID', '+33145000000'],
      ['CIDGATE_REASON', 'mobile-caller-id,caller-id-not-owned,outside-calling-hours'], ['CIDGATE_EMPTY', ''],
      ['CIDGATE_RETRY_AT', '2026-11-30T09:00:00.000Z'], ['CIDGATE_ATTEMPT', ''], ['CIDGATE_LAST', PRINTABLE]] as const;
    const sent = (name: string) => CASES.find((c) => c.name === name)!.exchanges[0]!.command;
    expect(setVariables(vars)).toBe(`${sent('array_extra')}\n`);
  });
});
