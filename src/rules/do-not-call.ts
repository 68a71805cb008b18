import { parisMidnight, type CallRule } from './rule.js';

/** A list of consumers who asked not to be called (the company's own, and a country's opt-out list imported into it): honoured for prospecting. */
export function optOutListRule(source: string, since: Date): CallRule {
  return {
    code: 'do-not-call', source, since,
    applies: (ctx) => ctx.campaign.purpose === 'prospecting',
    nextAllowed: (ctx, t) => (ctx.history.doNotCall ? null : t),
  };
}

/** The company's do-not-call list (Bloctel imports included) is honoured for prospecting. */
export const doNotCall: CallRule = optOutListRule(
  'Code de la consommation L.223-1 (Bloctel opposition list) and the company\'s own list', parisMidnight('2016-06-01'));
