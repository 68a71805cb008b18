import { z } from 'zod';
import type { CallRequest } from '../model/types.js';

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

/** The hints a PBX passes as text (AGI arguments, channel variables, SIP headers), by schema field. */
export type PbxHintText = Partial<Record<'consent' | 'consentAnytime' | 'zone' | 'tz' | 'agent' | 'lead', string | null>>;

export interface PbxHints {
  readonly hints: Pick<CallRequest, 'consent' | 'consentAnytime' | 'zone' | 'timeZone'> & { readonly agent: string | null; readonly lead: string | null };
  /** Hints the schema refused: ignored (the call is still decided without them), for a log line. */
  readonly invalid: readonly { field: string; value: string; message: string }[];
}

/**
 * A dialplan writes booleans as these words; any other yes/no word is refused by the schema.
 * Shared with dialplan/kamailio/cidgate-common.cfg, which maps X-Cidgate-Consent the same way (tested).
 */
export const PBX_TRUE = /^(1|true|yes)$/i;
export const PBX_FALSE = /^(0|false|no)$/i;

/**
 * PBX hints read through the call schema's own fields, so `consent=yes` means what
 * `"consent": true` means on the HTTP API, and `consent=oui` is refused the same way.
 */
export function pbxHints(text: PbxHintText): PbxHints {
  const invalid: { field: string; value: string; message: string }[] = [];
  const read = <K extends keyof PbxHintText>(field: K, asBoolean: boolean): CallInput[K] | undefined => {
    const raw = text[field];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const value = asBoolean && PBX_TRUE.test(raw.trim()) ? true : asBoolean && PBX_FALSE.test(raw.trim()) ? false : raw;
    const parsed = callInputSchema.shape[field].safeParse(value);
    if (parsed.success) return parsed.data as CallInput[K];
    invalid.push({ field, value: raw.slice(0, 64), message: parsed.error.issues[0]!.message });
    return undefined;
  };
  const consent = read('consent', true);
  return {
    hints: {
      consent: consent === undefined || consent === false ? null : consent,
      consentAnytime: read('consentAnytime', true) === true,
      zone: read('zone', false) ?? null,
      timeZone: read('tz', false) ?? null,
      agent: read('agent', false) ?? null,
      lead: read('lead', false) ?? null,
    },
    invalid,
  };
}
