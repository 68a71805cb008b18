import type { CallRequest } from '../model/types.js';
import type { Outcome, OutcomeStatus } from '../store/store.js';
import { pbxHints, type PbxHints } from '../service/call-input.js';
import { parseVicidialName } from './vicidial-name.js';

/** What the dialplan asked for: `agi://host:4573/check,CAMPAIGN,key=value…` or `/outcome,key=value…`. */
export type AgiRequest =
  | { readonly script: 'check'; readonly call: CallRequest; readonly ignored: readonly string[]; readonly invalidHints: PbxHints['invalid'] }
  | { readonly script: 'outcome'; readonly uniqueId: string; readonly outcome: Omit<Outcome, 'at'>; readonly ignored: readonly string[] };

const CHECK_KEYS = new Set(['to', 'zone', 'tz', 'consent', 'consent_anytime', 'agent', 'lead', 'trunk']);
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

export interface AgiRequestOptions {
  /** `asterisk.trunkCampaigns`: the campaign of a call that names none, by its `trunk=` (FreePBX's DIAL_TRUNK). */
  readonly trunkCampaigns?: Readonly<Record<string, string>>;
}

/** The campaign is the first argument, unless that is already one of the keys (`check,to=…`: no campaign name holds `=`). */
function splitCampaign(args: readonly string[]): { named: string; rest: readonly string[] } {
  const first = args[0] ?? '';
  const eq = first.indexOf('=');
  const isKey = eq > 0 && CHECK_KEYS.has(first.slice(0, eq).trim().toLowerCase());
  return isKey ? { named: '', rest: args } : { named: first.trim(), rest: args.slice(1) };
}

/** A call naming no campaign takes its trunk's, when the map has one. */
function trunkCampaign(trunk: string | undefined, map: Readonly<Record<string, string>> = {}): string {
  const id = trunk?.trim() ?? '';
  return id !== '' && Object.hasOwn(map, id) ? map[id]! : '';
}

export function parseAgiRequest(env: ReadonlyMap<string, string>, opts: AgiRequestOptions = {}): AgiRequest {
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
  const { named, rest } = splitCampaign(args);
  const { values: v, ignored } = keyValues(rest, CHECK_KEYS);
  const campaign = named || trunkCampaign(v.get('trunk'), opts.trunkCampaigns);
  const callerId = env.get('agi_callerid') ?? '';
  // VICIdial names its auto-dialed calls after the lead (the name is only read, never changed); lead= wins.
  const { hints, invalid } = pbxHints({
    consent: v.get('consent'), consentAnytime: v.get('consent_anytime'), zone: v.get('zone'), tz: v.get('tz'),
    agent: v.get('agent'), lead: v.get('lead') || parseVicidialName(env.get('agi_calleridname'))?.lead,
  });
  return {
    script: 'check', ignored, invalidHints: invalid,
    call: {
      campaign,
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
