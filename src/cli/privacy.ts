import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { CidgateError } from '../errors.js';
import { createLogger } from '../log.js';
import { maskNumber } from '../report/display.js';
import type { ReasonCode } from '../model/types.js';
import { consumerRulesWithCode } from '../rules/index.js';
import { purgeCutoffs } from '../service/retention.js';
import { PSEUDONYM_PREFIX, type AttemptRow } from '../store/store.js';
import { formatInstant } from '../time/display.js';
import { DAY_MS } from '../time/zoned.js';
import { openContext, parseNumberArg, type CommonOptions } from './context.js';
import { refusalPeriods } from './records.js';

type Out = NodeJS.WritableStream;

/** Who handled a consumer's personal data, and when: a JSON line on stderr, the number masked. */
function logAccess(err: Out, event: string, number: string, fields: Record<string, unknown>): void {
  createLogger('info', err).warn({ event, user: userInfo().username, number: maskNumber(number), ...fields }, event);
}

const exported = (r: AttemptRow) => ({ ...r, area: r.area ? (JSON.parse(r.area) as unknown) : null });

/** `cidgate privacy export NUMBER`: everything kept about one consumer, as one JSON document (GDPR art. 15). */
export async function privacyExportCommand(number: string, opts: CommonOptions & { out?: string }, out: Out, err: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  const { store, clock } = openContext(opts, { existing: true });
  try {
    const attempts = [];
    for await (const r of store.attempts({ callee: e164 })) attempts.push(exported(r));
    const doc = { number: e164, exportedAt: clock.now().toISOString(), attempts, ...(await store.consumerRecords(e164)) };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    logAccess(err, 'privacy-export', e164, { attempts: attempts.length, out: opts.out ?? 'stdout' });
    if (opts.out) writeFileSync(opts.out, text);
    else out.write(text);
    return 0;
  } finally {
    await store.close();
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why a record is kept: the legal sources of the consumer rules of this code, every country's (retention keeps the strictest). */
const lawOf = (code: ReasonCode) => consumerRulesWithCode(code).map((r) => r.source).join('; ');

/**
 * `cidgate privacy erase NUMBER --yes` (GDPR art. 17, within the law's own retention needs):
 * decisions the limits no longer read lose the number (a random pseudonym, never derived from
 * it, keeps them countable in reports) and refusals past their period are deleted; the consent in
 * force is revoked, and each consent event follows the attempts that relied on it (kept with the
 * number, pseudonymised with them, or deleted when none is left); attempts inside the attempt
 * window, refusals inside their period, the withdrawal and the do-not-call entry are kept. Prints
 * what it did, what it kept and why.
 */
export async function privacyEraseCommand(number: string, opts: CommonOptions & { yes?: boolean }, out: Out, err: Out): Promise<number> {
  const e164 = parseNumberArg(number);
  if (!opts.yes) throw new CidgateError('ERASE_NOT_CONFIRMED', [e164], { number: e164 });
  const { loaded, store, clock } = openContext(opts, { existing: true });
  try {
    const now = clock.now();
    const tz = loaded.config.site.siteTimeZone;
    // The retention purge's own cutoffs: what the limits read is exactly what must stay.
    const { cutoffs, retentionDays: attemptDays } = purgeCutoffs(loaded.config, 1, now);
    const refusalDays = Math.round((now.getTime() - cutoffs.refusalsBefore.getTime()) / DAY_MS);
    const pseudonym = `${PSEUDONYM_PREFIX}${randomUUID()}`;
    const counts = await store.eraseConsumer(e164, { at: now, attemptsBefore: cutoffs.decisionsBefore, refusalsBefore: cutoffs.refusalsBefore, pseudonym });
    const kept = await store.consumerRecords(e164);
    logAccess(err, 'privacy-erase', e164, { ...counts });
    const lines = [
      `erased ${e164} at ${formatInstant(now, tz)}:`,
      `- ${plural(counts.pseudonymised, 'decision')} (blocked calls, and attempts older than ${attemptDays} days): number replaced by ${pseudonym}, lead id removed`,
      `- ${plural(counts.refusalsDeleted, 'refusal')} older than ${refusalDays} days deleted`,
      `- revoked the consent in force: ${counts.consentRevoked ? 'yes (an erasure request withdraws it)' : 'none was in force'}`,
      `- ${plural(counts.consentEventsPseudonymised, 'consent event')} only pseudonymised attempts relied on: number replaced by ${pseudonym} (the proof stays with those calls, pointing to no one)`,
      `- ${plural(counts.consentEventsDeleted, 'consent event')} no remaining attempt relied on deleted`,
      'kept, and why:',
      `- ${plural(counts.attemptsKept, 'attempt')} of the last ${attemptDays} days: the attempt limit counts them (${lawOf('attempt-limit')}); the retention purge removes them later`,
      `- ${plural(counts.refusalsKept, 'refusal')} of the last ${refusalDays} days: ${refusalPeriods(loaded.config)} (${lawOf('refused-recently')})`,
      `- do-not-call entry: ${kept.doNotCall ? `kept (added ${formatInstant(kept.doNotCall.addedAt, tz, { near: now })}): the consumer asked not to be called, and erasing it would let calls resume` : 'none'}`,
      `- ${plural(counts.consentEventsKept, 'consent event')} with the number: the consent the kept attempts relied on (${lawOf('no-consent')}), which the retention purge removes with them, and the latest withdrawal, which stops an older consent imported again from counting`,
      'not covered here: the service\'s JSON log lines (rotate them) and the PBX\'s own call records',
    ];
    out.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
