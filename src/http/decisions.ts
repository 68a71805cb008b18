import { z } from 'zod';
import { parseInstant } from '../cli/context.js';
import { campaignProblem } from '../config/campaigns.js';
import { formatNumber } from '../numbers/phone.js';
import { explainReasons } from '../policy/reasons.js';
import { callInputSchema, toCallRequest } from '../service/call-input.js';
import type { Gateway } from '../service/gateway.js';
import { sipOutcome } from '../sip/sip-outcome.js';
import type { AttemptKey, Recorded } from '../store/store.js';
import { HttpError, parseWith } from './errors.js';
import type { RoutePlugin } from './plugin.js';

// `cancelled-before-dial`: the dialer never dialled the consumer (the agent or caller gave up during
// the check); the attempt then stops counting toward the limits and stays in the audit trail.
const OUTCOME_STATUSES = ['answered', 'busy', 'no-answer', 'failed', 'cancelled', 'rejected', 'cancelled-before-dial'] as const;

export const outcomeInputSchema = z.strictObject({
  attemptId: z.number().int().positive().optional(),
  key: z.string().min(1).max(128).optional(),
  status: z.enum(OUTCOME_STATUSES).optional(),
  sipStatus: z.number().int().min(200).max(699).optional().describe('final SIP status: gives status and hangupCause when they are absent'),
  hangupCause: z.number().int().min(0).max(255).optional().describe('Q.850 cause'),
  durationSeconds: z.number().min(0).max(86_400 * 7).optional(),
}).refine((o) => (o.attemptId === undefined) !== (o.key === undefined), { message: 'exactly one of attemptId or key', path: ['attemptId'] })
  .refine((o) => o.status !== undefined || o.sipStatus !== undefined, { message: 'status or sipStatus is required', path: ['status'] });

export const reasonSchema = z.object({ code: z.string(), text: z.string(), source: z.string().nullable() });

export const decisionResponseSchema = z.object({
  action: z.enum(['allow', 'rewrite', 'block']),
  campaign: z.string(),
  callerId: z.string().nullable().describe('the number to present, formatted per callerId.format (null when blocked)'),
  callerIdE164: z.string().nullable(),
  originalCallerId: z.string().nullable(),
  callee: z.string().nullable(),
  reasons: z.array(reasonSchema),
  reasonCodes: z.string().describe('the reason codes joined by commas (CIDGATE_REASON)'),
  retryAt: z.string().nullable(),
  retryAfterSeconds: z.number().int().nullable(),
  attemptId: z.number().int().nullable(),
  replayed: z.boolean(),
  reading: z.enum(['as-of', 'log']).describe("the history the decision read: 'log' (recorded: attempts on both sides of its instant count) or 'as-of' (what was on record then)"),
});

export const outcomeResponseSchema = z.object({ recorded: z.boolean().describe('false when an outcome was already recorded') });

export function decisionBody(r: Recorded, gateway: Gateway, now: Date): z.infer<typeof decisionResponseSchema> {
  const d = r.decision;
  const retryAfter = d.retryAt ? Math.max(0, Math.ceil((d.retryAt.getTime() - now.getTime()) / 1000)) : null;
  return {
    action: d.action, campaign: d.campaign,
    callerId: d.callerId ? formatNumber(d.callerId, gateway.config.callerIdFormat) : null,
    callerIdE164: d.callerId, originalCallerId: d.originalCallerId, callee: d.callee,
    reasons: explainReasons(d, gateway.config.site), reasonCodes: d.reasons.join(','),
    retryAt: d.retryAt?.toISOString() ?? null, retryAfterSeconds: retryAfter, attemptId: r.attemptId, replayed: r.replayed,
    reading: 'log', // every decision of this API is recorded
  };
}

/**
 * One recorded decision from a call input as the HTTP API reads it (also the Kamailio evapi
 * engine's answer): a wrong field throws the HttpError the API answers with.
 */
export async function answerDecision(gateway: Gateway, body: unknown, allowDecisionTime: boolean): Promise<z.infer<typeof decisionResponseSchema>> {
  const input = parseWith(callInputSchema, body);
  const config = gateway.config;
  let at: Date | undefined;
  if (input.at !== undefined) {
    if (!allowDecisionTime) throw new HttpError('DECISION_TIME_NOT_ALLOWED', [], 'at');
    try {
      at = parseInstant(input.at, 'at', config.site.siteTimeZone);
    } catch (err) {
      throw new HttpError('INVALID_FIELD', [(err as Error).message], 'at');
    }
  }
  const problem = campaignProblem(input.campaign, config);
  if (problem) throw new HttpError('UNKNOWN_CAMPAIGN', problem, 'campaign');
  const result = await gateway.check(toCallRequest(input, 'http'), { record: true, at });
  return decisionBody(result, gateway, at ?? new Date());
}

/** An outcome as `POST /v1/outcomes` reads it (also the Kamailio evapi engine's). */
export async function answerOutcome(gateway: Gateway, body: unknown): Promise<z.infer<typeof outcomeResponseSchema>> {
  const input = parseWith(outcomeInputSchema, body);
  const key: AttemptKey = input.attemptId !== undefined ? { attemptId: input.attemptId } : { pbxUniqueId: input.key! };
  const [sipStatus, sipCause] = input.sipStatus !== undefined ? sipOutcome(input.sipStatus) : [undefined, undefined];
  const recorded = await gateway.recordOutcome(key, {
    status: input.status ?? sipStatus!, hangupCause: input.hangupCause ?? sipCause ?? null,
    durationSeconds: input.durationSeconds ?? null, at: new Date(),
  });
  if (!recorded && !(await gateway.store.findAttempt(key))) {
    throw new HttpError('ATTEMPT_NOT_FOUND', [], input.attemptId !== undefined ? 'attemptId' : 'key');
  }
  return { recorded };
}

/** `POST /v1/decisions` (always recorded, like a PBX's check) and `POST /v1/outcomes`. */
export const decisionRoutes: RoutePlugin = (app, { gateway }) => {
  app.post('/v1/decisions', (req) => answerDecision(gateway, req.body, gateway.config.http.allowDecisionTime));
  app.post('/v1/outcomes', (req) => answerOutcome(gateway, req.body));
};
