/**
 * `npm run fuzz -- --cases N` (default 100,000; 1,000,000 and more when asked): random and
 * mutated inputs through every parser and the decision. Each must answer or fail with its own
 * typed error — never another exception, never a hang. Bounded: N cases, then it stops.
 */
import fc from 'fast-check';
import { AgiProtocolError, EnvReader, LineSplitter, ResponseReader } from '../src/asterisk/agi-protocol.js';
import { parseAgiRequest } from '../src/asterisk/agi-request.js';
import { parseVicidialName } from '../src/asterisk/vicidial-name.js';
import { fixedClock } from '../src/clock.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { CidgateError } from '../src/errors.js';
import { EslParser, EslProtocolError, parsePlainEvent } from '../src/freeswitch/esl-protocol.js';
import { outboundRequest } from '../src/freeswitch/outbound-request.js';
import { parseEvapiRequest } from '../src/kamailio/evapi-message.js';
import { EvapiProtocolError, NetstringParser } from '../src/kamailio/evapi-protocol.js';
import { parsePhone } from '../src/numbers/phone.js';
import { decide } from '../src/policy/decide.js';
import { EMPTY_HISTORY } from '../src/model/types.js';
import { numberOption, scriptOptions } from '../bench/args.js';

const cases = numberOption(scriptOptions('usage: npm run fuzz [-- --cases N]', { cases: { type: 'string' } }).cases, 'cases', 100_000, 1);
const { config } = loadConfig();

const phoneish = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[+0]?[0-9 .\-()]{0,30}$/),
  fc.constantFrom('', '+', '00', 'anonymous', '0612345678', '+262692123456', '0508412345', '+33 0145678901'),
);
const bytes = fc.uint8Array({ maxLength: 3000 });
const agiText = fc.array(fc.oneof(
  fc.constantFrom('agi_network: yes\n', 'agi_arg_1: c:a=b\n', '\n', 'HANGUP\n', '200 result=1 (x)\n', '520-usage\n', '520 End of proper usage.\n', 'agi_extension: 0145678901\n'),
  fc.string({ maxLength: 50 }),
), { maxLength: 30 }).map((parts) => parts.join(''));
const eslText = fc.array(fc.oneof(
  fc.constantFrom('Content-Type: command/reply\n', 'Reply-Text: +OK\n', '\n', 'Content-Length: 12\n', 'Event-Name: CHANNEL_HANGUP\n', 'Unique-ID: %ZZ%41\n'),
  fc.string({ maxLength: 50 }),
), { maxLength: 30 }).map((parts) => parts.join(''));

const evapiText = fc.array(fc.oneof(
  fc.constantFrom('12:', ':', ',', '0:,', '99999:', '{"type":"decide","id":"1:2","call":{}}', '{"type":"outcome","outcome":{}}', '{"type":"x","id":"3:4"}'),
  fc.string({ maxLength: 50 }).map((t) => `${Buffer.byteLength(t)}:${t},`),
  fc.string({ maxLength: 50 }),
), { maxLength: 20 }).map((parts) => parts.join(''));

function expectOnly(errorType: new (...a: never) => Error, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof errorType)) throw err;
  }
}

const targets: [string, fc.IPropertyWithHooks<any>][] = [
  ['numbers', fc.property(phoneish, (s) => { parsePhone(s); })],
  ['decision', fc.property(phoneish, phoneish, fc.option(fc.string({ maxLength: 12 })), fc.option(fc.string({ maxLength: 30 })), fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
    (from, to, zone, tz, at) => {
      const d = decide({ campaign: 'prospecting', from, to, zone, timeZone: tz, consent: true }, EMPTY_HISTORY, config.site, config.campaigns.get('prospecting'), fixedClock(at));
      if (d.action !== 'block' && d.callerId === null) throw new Error('allowed without a caller ID');
    })],
  ['agi', fc.property(fc.oneof(bytes.map((b) => Buffer.from(b)), agiText.map((t) => Buffer.from(t))), fc.integer({ min: 1, max: 64 }), (data, chunk) => {
    expectOnly(AgiProtocolError, () => {
      const splitter = new LineSplitter();
      const env = new EnvReader();
      const responses = new ResponseReader();
      for (let at = 0; at < data.length; at += chunk) {
        for (const line of splitter.push(data.subarray(at, at + chunk))) {
          if (!env.complete) { if (env.push(line)) parseAgiRequest(env.env); } else responses.push(line);
        }
      }
    });
  })],
  ['vicidial-name', fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^V\d{15,23}$/)), (name) => {
    const r = parseVicidialName(name);
    if (r !== null && !/^[1-9]\d{0,9}$/.test(r.lead)) throw new Error(`lead ${r.lead} from ${name}`);
  })],
  ['esl', fc.property(fc.oneof(bytes.map((b) => Buffer.from(b)), eslText.map((t) => Buffer.from(t))), fc.integer({ min: 1, max: 64 }), (data, chunk) => {
    expectOnly(EslProtocolError, () => {
      const parser = new EslParser();
      for (let at = 0; at < data.length; at += chunk) {
        for (const m of parser.push(data.subarray(at, at + chunk))) { outboundRequest(m.headers); parsePlainEvent(m.body); }
      }
    });
  })],
  ['evapi', fc.property(fc.oneof(bytes.map((b) => Buffer.from(b)), evapiText.map((t) => Buffer.from(t))), fc.integer({ min: 1, max: 64 }), (data, chunk) => {
    expectOnly(EvapiProtocolError, () => {
      const parser = new NetstringParser(2048);
      for (let at = 0; at < data.length; at += chunk) {
        for (const frame of parser.push(data.subarray(at, at + chunk))) {
          try { parseEvapiRequest(frame); } catch (err) { if (!(err instanceof EvapiProtocolError)) throw err; }
        }
      }
    });
  })],
  ['config', fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.constantFrom('campaigns:\n  a: &a [*a]\n', 'a: !!binary x\n', '{', 'campaigns: {x: {purpose: service, dialing: manual, pool: [01]}}')), (text) => {
    expectOnly(CidgateError, () => parseConfig(text, 'fuzz.yaml'));
  })],
];

let failed = false;
const per = Math.max(1, Math.floor(cases / targets.length));
const started = Date.now();
for (const [name, property] of targets) {
  const t = Date.now();
  const result = fc.check(property, { numRuns: per }) as fc.RunDetails<unknown>;
  const ok = !result.failed;
  failed ||= !ok;
  process.stdout.write(`${name.padEnd(9)} ${per} cases ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  if (!ok) process.stdout.write(`${fc.defaultReportMessage(result)}\n`);
}
process.stdout.write(`${per * targets.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failed ? 'failures above' : 'no crash, no untyped error'}\n`);
process.exitCode = failed ? 1 : 0;
