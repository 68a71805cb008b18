import type { ErrorArgs } from '../errors.js';
import type { Config } from './compile.js';

/**
 * What is wrong with the campaign a call names, as UNKNOWN_CAMPAIGN's values, or null when the
 * config defines it (or, none named, has a defaultCampaign): the CLI, a batch line and the HTTP API
 * all answer with the campaigns there are.
 */
export function campaignProblem(name: string | null | undefined, config: Config): ErrorArgs<'UNKNOWN_CAMPAIGN'> | null {
  if (name === null || name === undefined ? config.defaultCampaign !== null : config.campaigns.has(name)) return null;
  const problem = name === null || name === undefined ? 'required' : `"${name}" is unknown`;
  return [problem, [...config.campaigns.keys()].join(', '), config.defaultCampaign ?? 'none'];
}
