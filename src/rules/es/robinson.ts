import { parisMidnight, type CallRule } from '../rule.js';

/**
 * Before prospecting, consult the advertising exclusion systems (Lista Robinson, run by Adigital):
 * a consumer on it (imported with `cidgate dnc import`) or on the company's own list is not called.
 * Spain's do-not-call rule, replacing the generic one for Spanish consumers.
 */
export const robinsonList: CallRule = {
  code: 'do-not-call',
  source: 'Ley Orgánica 3/2018 (LOPDGDD) art. 23.4 (Lista Robinson, advertising exclusion systems) and the company\'s own list',
  since: parisMidnight('2018-12-07'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting',
  nextAllowed: (ctx, t) => (ctx.history.doNotCall ? null : t),
};
