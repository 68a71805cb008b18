import { errorCode } from '../../errors.js';
import { purgeCutoffs } from '../retention.js';
import type { PartFactory } from './part.js';

/** The hourly retention purge (`retentionDays`). */
export const retentionPart: PartFactory = ({ gateway, logger, config }) => {
  const days = config.raw.retentionDays;
  if (days === null) return null;
  const purge = async () => {
    try {
      const { cutoffs } = purgeCutoffs(gateway.config, days, new Date());
      const deleted = await gateway.store.purge(cutoffs);
      logger.info({ event: 'purged', deleted, before: cutoffs.decisionsBefore.toISOString() }, 'retention purge');
    } catch (err) {
      logger.error({ event: 'purge-failed', code: errorCode(err, 'STORE_ERROR'), err: { message: (err as Error).message } }, 'retention purge failed');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'retention',
    open() {
      timer = setInterval(() => void purge(), 3_600_000);
      timer.unref();
      void purge();
    },
    stop: () => clearInterval(timer),
  };
};
