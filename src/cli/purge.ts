import { purgeCutoffs } from '../service/retention.js';
import { openContext, type CommonOptions } from './context.js';
import { CidgateError } from '../errors.js';
import { formatInstant } from '../time/display.js';

/** `cidgate purge --older-than DAYS`: bounded database, never cutting what the limits read. */
export async function purgeCommand(opts: CommonOptions & { olderThan?: string }, out: NodeJS.WritableStream): Promise<number> {
  const days = Number(opts.olderThan);
  if (!Number.isInteger(days) || days < 1) throw new CidgateError('BAD_OPTION', ['--older-than', `"${opts.olderThan}" is not a whole number of days, at least 1`]);
  const { loaded, store, clock } = openContext(opts);
  try {
    const { cutoffs, retentionDays } = purgeCutoffs(loaded.config, days, clock.now());
    const deleted = await store.purge(cutoffs);
    const clamped = retentionDays > days ? ` (kept ${retentionDays} days: the attempt limits read that far back)` : '';
    out.write(`${deleted} rows deleted, decisions before ${formatInstant(cutoffs.decisionsBefore, loaded.config.site.siteTimeZone)}${clamped}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
