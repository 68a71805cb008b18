import type { PartFactory } from './part.js';

/** Decides a sample of calls for every campaign before anything listens, so the first real call is not the slow one. */
export const warmUpPart: PartFactory = ({ gateway, logger, config }) => ({
  name: 'warm-up',
  async open(signal) {
    logger.info({ event: 'warming-up', campaigns: config.campaigns.size }, 'warming up');
    await gateway.warmUp(signal);
  },
  stop: () => undefined,
});
