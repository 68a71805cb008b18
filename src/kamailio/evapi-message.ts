import type { z } from 'zod';
import type { decisionResponseSchema } from '../http/decisions.js';
import { EvapiProtocolError } from './evapi-protocol.js';

/**
 * The messages of dialplan/kamailio/cidgate.cfg over evapi, one JSON object per netstring.
 *
 * Kamailio → cidgate:
 *   {"type":"decide","id":"TINDEX:TLABEL","call":{…POST /v1/decisions body…}}   the INVITE's transaction is suspended
 *   {"type":"outcome","outcome":{…POST /v1/outcomes body…}}                      no answer
 * cidgate → Kamailio, flat so that jansson_xdecode reads every field:
 *   {"type":"decision","id":…,"status":200,"action":…,"callerId":…,"reasonCodes":…,"retryAfterSeconds":…,"attemptId":…}
 *   {"type":"decision","id":…,"status":400|409|500,"code":"INVALID_FIELD","field":"agent"}   (field when there is one)
 *   {"type":"received"}   for each outcome (cidgate.cfg ignores it; it only carries the TCP ACK back)
 * The status is the HTTP API's for the same request, so both modes of the config read one answer.
 */
export type EvapiRequest =
  | { readonly type: 'decide'; readonly id: string; readonly call: unknown }
  | { readonly type: 'outcome'; readonly outcome: unknown };

/** The transaction's index and label, as `$T(id_index):$T(id_label)`: the only id Kamailio sends. */
const TRANSACTION_ID = /^\d{1,10}:\d{1,10}$/;

/** The id of a message, when it has a usable one: what lets a bad request still be answered. */
export function requestId(message: unknown): string | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' && TRANSACTION_ID.test(id) ? id : null;
}

/** Reads one frame; throws EvapiProtocolError (with `id` in its context when the frame had one). */
export function parseEvapiRequest(frame: Buffer): EvapiRequest {
  let message: unknown;
  try {
    message = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new EvapiProtocolError('message is not JSON', { length: frame.length });
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new EvapiProtocolError('message is not a JSON object');
  const m = message as Record<string, unknown>;
  const id = requestId(m);
  if (m.type === 'decide') {
    if (id === null) throw new EvapiProtocolError('decide message without a transaction id "INDEX:LABEL"');
    if (typeof m.call !== 'object' || m.call === null) throw new EvapiProtocolError('decide message without its call object', { id });
    return { type: 'decide', id, call: m.call };
  }
  if (m.type === 'outcome') {
    if (typeof m.outcome !== 'object' || m.outcome === null) throw new EvapiProtocolError('outcome message without its outcome object');
    return { type: 'outcome', outcome: m.outcome };
  }
  throw new EvapiProtocolError(`unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`, id ? { id } : {});
}

type DecisionBody = z.infer<typeof decisionResponseSchema>;

export const OUTCOME_RECEIVED = '{"type":"received"}';

/** The answer to a decided call. */
export function decisionAnswer(id: string, d: DecisionBody): string {
  return JSON.stringify({
    type: 'decision', id, status: 200, action: d.action, callerId: d.callerId, reasonCodes: d.reasonCodes,
    retryAfterSeconds: d.retryAfterSeconds, attemptId: d.attemptId,
  });
}

/** The answer to a call cidgate could not decide: Kamailio refuses it (4xx: invalid request, else unavailable). */
export function errorAnswer(id: string, status: number, code: string, field?: string): string {
  return JSON.stringify({ type: 'decision', id, status, code, ...(field ? { field } : {}) });
}
