import { parisMidnight, type CallRule } from './rule.js';

/** The company's do-not-call list (Bloctel imports included) is honoured for prospecting. */
export const doNotCall: CallRule = {
  code: 'do-not-call',
  source: 'Code de la consommation L.223-1 (Bloctel opposition list) and the company\'s own list',
  since: parisMidnight('2016-06-01'),
  applies: (ctx) => ctx.campaign.purpose === 'prospecting',
  nextAllowed: (ctx, t) => (ctx.history.doNotCall ? null : t),
};
