import { z } from 'zod';
import type { CallRequest } from '../policy/types.js';

/** Words a dialer may mean as a plain yes/no: never taken as a consent proof reference. */
const YES_NO = /^(yes|no|y|n|true|false|on|off|oui|non|1|0)$/i;

/**
 * One call as a dialer describes it, whatever the door: the HTTP API's `POST /v1/decisions`
 * body, a `check --batch` line, and (for the hints' values) the PBX adapters' variables.
 * One definition, so the same wrong field gets the same answer everywhere.
 */
export const callInputSchema = z.strictObject({
  campaign: z.string().min(1).max(64).optional()
    .describe('campaign name; default: the config\'s defaultCampaign'),
  from: z.string().max(64).nullable().optional().describe('caller ID the PBX would present'),
  to: z.string().min(1).max(64).describe('the callee'),
  key: z.string().min(1).max(128).optional()
    .describe('idempotency key (like the PBX unique id): the same key twice returns the first decision'),
  consent: z.union([
    z.boolean(),
    z.string().min(1).max(200).refine((s) => !YES_NO.test(s.trim()), 'a consent proof reference, not a yes/no word: use true or false'),
  ]).optional().describe('the consumer\'s prior consent: true, or a proof reference'),
  consentAnytime: z.boolean().optional().describe('consent to be called outside the legal hours'),
  zone: z.string().min(1).max(8).optional().describe('area hint: 1–5, a département, or GP/MQ/GF/RE/YT/PM/BL/MF'),
  tz: z.string().min(1).max(64).optional().describe('callee time zone hint (IANA name)'),
  agent: z.string().max(128).optional(),
  lead: z.string().max(128).optional(),
  source: z.string().min(1).max(64).optional().describe('who asks (free text, e.g. "kamailio")'),
  at: z.string().max(64).optional()
    .describe('ISO instant to decide at (HTTP: only with http.allowDecisionTime)'),
});

export type CallInput = z.infer<typeof callInputSchema>;

/** The call to decide; `source` names the door when the input does not (http, cli). */
export function toCallRequest(input: CallInput, source: string): CallRequest {
  return {
    campaign: input.campaign ?? '',
    from: input.from ?? null,
    to: input.to,
    zone: input.zone ?? null,
    timeZone: input.tz ?? null,
    consent: input.consent === false ? null : input.consent ?? null,
    consentAnytime: input.consentAnytime === true,
    pbx: { source: input.source ?? source, uniqueId: input.key ?? null, agent: input.agent ?? null, lead: input.lead ?? null },
  };
}

/** The first problem of a failed parse, as the field it names and a sentence. */
export function firstIssue(error: z.ZodError): { field: string | undefined; message: string } {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    return { field: issue.keys[0], message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  return { field, message: field ? `${field}: ${issue.message}` : issue.message };
}
