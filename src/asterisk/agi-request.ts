import type { CallRequest } from '../model/types.js';
import type { Outcome, OutcomeStatus } from '../store/store.js';
import { pbxHints, type PbxHints } from '../service/call-input.js';

/** What the dialplan asked for: `agi://host:4573/check,CAMPAIGN,key=value…` or `/outcome,key=value…`. */
export type AgiRequest =
  | { readonly script: 'check'; readonly call: CallRequest; readonly ignored: readonly string[]; readonly invalidHints: PbxHints['invalid'] }
  | { readonly script: 'outcome'; readonly uniqueId: string; readonly outcome: Omit<Outcome, 'at'>; readonly ignored: readonly string[] };

const CHECK_KEYS = new Set(['to', 'zone', 'tz', 'consent', 'consent_anytime', 'agent', 'lead']);
const OUTCOME_KEYS = new Set(['dialstatus', 'answeredtime', 'hangupcause']);

/** Asterisk's DIALSTATUS → the outcome cidgate records. */
const DIAL_STATUS: Readonly<Record<string, OutcomeStatus>> = {
  ANSWER: 'answered', BUSY: 'busy', NOANSWER: 'no-answer', CANCEL: 'cancelled', CONGESTION: 'failed',
  CHANUNAVAIL: 'failed', DONTCALL: 'rejected', TORTURE: 'rejected', INVALIDARGS: 'failed',
};

export function dialStatusOutcome(status: string): OutcomeStatus {
  return DIAL_STATUS[status.trim().toUpperCase()] ?? 'cancelled';
}

/** The script name: the URL path without its query (`agi://h/check?x=1` → `check`). */
function scriptOf(env: ReadonlyMap<string, string>): string {
  return (env.get('agi_network_script') ?? '').split('?')[0]!.replace(/^\/+/, '').toLowerCase();
}

function argsOf(env: ReadonlyMap<string, string>): string[] {
  const args: string[] = [];
  for (let i = 1; env.has(`agi_arg_${i}`); i++) args.push(env.get(`agi_arg_${i}`)!);
  return args;
}

/** `key=value` arguments; the value keeps any further `=` and `:`. */
function keyValues(args: readonly string[], known: ReadonlySet<string>): { values: Map<string, string>; ignored: string[] } {
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq).trim().toLowerCase() : '';
    if (!known.has(key)) ignored.push(arg.slice(0, 64));
    else values.set(key, arg.slice(eq + 1));
  }
  return { values, ignored };
}

const UNSET = new Set(['', 'unknown', '<unknown>']);

export function parseAgiRequest(env: ReadonlyMap<string, string>): AgiRequest {
  const args = argsOf(env);
  const uniqueId = env.get('agi_uniqueid') ?? '';
  if (scriptOf(env) === 'outcome') {
    const { values, ignored } = keyValues(args, OUTCOME_KEYS);
    const seconds = Number.parseInt(values.get('answeredtime') ?? '', 10);
    const cause = Number.parseInt(values.get('hangupcause') ?? '', 10);
    return {
      script: 'outcome', uniqueId, ignored,
      outcome: {
        status: dialStatusOutcome(values.get('dialstatus') ?? ''),
        durationSeconds: Number.isFinite(seconds) && seconds >= 0 ? seconds : null,
        hangupCause: Number.isFinite(cause) && cause >= 0 && cause < 256 ? cause : null,
      },
    };
  }
  const [campaign = '', ...rest] = args;
  const { values: v, ignored } = keyValues(rest, CHECK_KEYS);
  const callerId = env.get('agi_callerid') ?? '';
  const { hints, invalid } = pbxHints({
    consent: v.get('consent'), consentAnytime: v.get('consent_anytime'), zone: v.get('zone'), tz: v.get('tz'),
    agent: v.get('agent'), lead: v.get('lead'),
  });
  return {
    script: 'check', ignored, invalidHints: invalid,
    call: {
      campaign: campaign.trim(),
      from: UNSET.has(callerId) ? null : callerId,
      to: v.get('to') ?? env.get('agi_extension') ?? null,
      zone: hints.zone, timeZone: hints.timeZone, consent: hints.consent, consentAnytime: hints.consentAnytime,
      pbx: {
        source: 'asterisk', channel: env.get('agi_channel') ?? null, uniqueId: uniqueId || null,
        agent: hints.agent, lead: hints.lead,
      },
    },
  };
}
