import { describe, expect, it } from 'vitest';
import { decisionAnswer, errorAnswer, parseEvapiRequest, requestId } from '../../src/kamailio/evapi-message.js';
import { EvapiProtocolError } from '../../src/kamailio/evapi-protocol.js';

const parse = (s: string) => parseEvapiRequest(Buffer.from(s));
const failure = (s: string): EvapiProtocolError => {
  try { parse(s); } catch (err) { return err as EvapiProtocolError; }
  throw new Error('parsed');
};

describe('evapi messages from cidgate.cfg', () => {
  it('reads a decide request with its transaction id and call', () => {
    expect(parse('{"type":"decide","id":"123:456","call":{"to":"0472123456","source":"kamailio"}}'))
      .toEqual({ type: 'decide', id: '123:456', call: { to: '0472123456', source: 'kamailio' } });
  });

  it('reads an outcome', () => {
    expect(parse('{"type":"outcome","outcome":{"key":"abc","sipStatus":486}}')).toEqual({ type: 'outcome', outcome: { key: 'abc', sipStatus: 486 } });
  });

  it.each([
    ['not JSON', '{"type":', null],
    ['not an object', '[1,2]', null],
    ['an unknown type, with its id kept to answer it', '{"type":"hello","id":"1:2"}', '1:2'],
    ['a decide without an id', '{"type":"decide","call":{}}', null],
    ['a decide with a malformed id', '{"type":"decide","id":"1:2:3","call":{}}', null],
    ['a decide without its call, with its id kept', '{"type":"decide","id":"7:8"}', '7:8'],
    ['an outcome without its object', '{"type":"outcome","outcome":3}', null],
  ])('refuses %s with EVAPI_PROTOCOL_ERROR', (_what, input, id) => {
    const err = failure(input);
    expect(err).toBeInstanceOf(EvapiProtocolError);
    expect(err.code).toBe('EVAPI_PROTOCOL_ERROR');
    expect(err.context.id ?? null).toBe(id);
  });

  it('accepts only INDEX:LABEL ids', () => {
    expect(requestId({ id: '0:0' })).toBe('0:0');
    expect(requestId({ id: 12 })).toBeNull();
    expect(requestId({ id: '1:2;drop' })).toBeNull();
    expect(requestId(null)).toBeNull();
  });
});

describe('answers to cidgate.cfg, flat for jansson', () => {
  it('a decision carries what the config reads', () => {
    const answer = JSON.parse(decisionAnswer('1:2', {
      action: 'block', campaign: 'prospecting', callerId: null, callerIdE164: null, originalCallerId: '+33612345678', callee: '+33145678901',
      reasons: [], reasonCodes: 'outside-calling-hours', retryAt: '2026-11-30T09:00:00.000Z', retryAfterSeconds: 171000, attemptId: 9, replayed: false, reading: 'log',
    }));
    expect(answer).toEqual({
      type: 'decision', id: '1:2', status: 200, action: 'block', callerId: null, reasonCodes: 'outside-calling-hours', retryAfterSeconds: 171000, attemptId: 9,
    });
  });

  it('an error carries the HTTP status, the code and the field', () => {
    expect(JSON.parse(errorAnswer('1:2', 400, 'INVALID_FIELD', 'agent'))).toEqual({ type: 'decision', id: '1:2', status: 400, code: 'INVALID_FIELD', field: 'agent' });
    expect(JSON.parse(errorAnswer('1:2', 500, 'INTERNAL_ERROR'))).toEqual({ type: 'decision', id: '1:2', status: 500, code: 'INTERNAL_ERROR' });
  });
});
