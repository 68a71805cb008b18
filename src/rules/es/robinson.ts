import { optOutListRule } from '../do-not-call.js';
import { parisMidnight } from '../rule.js';

/**
 * Before prospecting, consult the advertising exclusion systems (Lista Robinson, run by Adigital):
 * a consumer on it (imported with `cidgate dnc import`) or on the company's own list is not called.
 * Spain's do-not-call rule, replacing the generic one for Spanish consumers. In force with the
 * law, 2018-12-07 (midnight in Madrid, Paris's zone).
 */
export const robinsonList = optOutListRule(
  'Ley Orgánica 3/2018 (LOPDGDD) art. 23.4 (Lista Robinson, advertising exclusion systems) and the company\'s own list',
  parisMidnight('2018-12-07'));
