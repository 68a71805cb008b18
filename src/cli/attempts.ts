import { csvLine } from './csv.js';
import { openContext, parseInstant, parseNumberArg, type CommonOptions } from './context.js';
import { writeLine } from './output.js';

const COLUMNS = [
  'id', 'at', 'campaign', 'purpose', 'source', 'channel', 'unique_id', 'agent', 'lead', 'original_caller_id',
  'presented_caller_id', 'callee', 'action', 'reasons', 'retry_at', 'counted', 'outcome', 'hangup_cause', 'duration_s',
  'without_history',
];

/** The audit trail: every decision with its outcome, as CSV or JSON lines. */
export async function attemptsCommand(opts: CommonOptions & { to?: string; since?: string; csv?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const callee = opts.to ? parseNumberArg(opts.to, '--to') : undefined;
  const { store, loaded } = openContext(opts, { existing: true });
  try {
    const filter = { callee, since: opts.since ? parseInstant(opts.since, '--since', loaded.config.rules.siteTimeZone) : undefined };
    if (opts.csv) out.write(`${csvLine(COLUMNS)}\n`);
    for await (const a of store.attempts(filter)) {
      const values = [
        a.id, a.at.toISOString(), a.campaign, a.purpose, a.source, a.channel, a.pbxUniqueId, a.agent, a.lead,
        a.originalCallerId, a.presentedCallerId, a.callee, a.action, a.reasons, a.retryAt?.toISOString() ?? null,
        a.counted ? 1 : 0, a.outcome, a.hangupCause, a.durationSeconds, a.withoutHistory ? 1 : 0,
      ];
      const line = opts.csv ? csvLine(values) : JSON.stringify(Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])));
      if (!(await writeLine(out, line))) break; // the reader stopped (`| head`)
    }
    return 0;
  } finally {
    await store.close();
  }
}
