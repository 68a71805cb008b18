import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { purgeCutoffs } from '../../src/service/retention.js';

const errorsOf = (yaml: string) => parseConfig(yaml, 'test.yaml', { lenient: true }).problems.filter((p) => p.level === 'error').map((p) => p.key);

const withLimits = (country: string, limits: string) => `
country: ${country}
campaigns:
  p: { purpose: prospecting, dialing: manual, basis: existing-contract, limits: ${limits}, pool: ["+34 912 345 678"] }
`;

describe('limits and retention follow every country\'s law, whatever the site\'s country', () => {
  it('a Spanish call center\'s prospecting campaign may not loosen the French ceilings (it may call French consumers)', () => {
    expect(errorsOf(withLimits('ES', '{ maxAttempts: 5, windowDays: 20, refusalDays: 30 }')))
      .toEqual(['campaigns.p.limits.maxAttempts', 'campaigns.p.limits.windowDays', 'campaigns.p.limits.refusalDays']);
    const config = parseConfig(withLimits('ES', '{}'), 'test.yaml').config;
    expect(config.campaigns.get('p')!.limits).toEqual({ maxAttempts: 4, windowDays: 30, refusalDays: 60, minGapMinutes: null });
  });

  it('purges of a Spanish site keep the 30 and 60 days the French rules read', () => {
    const config = parseConfig(`
country: ES
campaigns:
  s: { purpose: service, dialing: manual, pool: ["+34 912 345 678"] }
`, 'test.yaml').config;
    const now = new Date('2026-11-30T12:00:00Z');
    const { cutoffs, retentionDays } = purgeCutoffs(config, 1, now);
    expect(retentionDays).toBe(31);
    expect(cutoffs.refusalsBefore).toEqual(new Date(now.getTime() - 61 * 86_400_000));
  });
});
