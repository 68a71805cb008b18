import { describe } from 'vitest';

/**
 * `describe` for a suite that needs a server or program which may be absent on a developer's
 * machine (PostgreSQL, Kamailio, SIPp, Chromium). Without it the suite is skipped with a message
 * saying how to enable it; under CI (CI=true) a missing requirement fails the run instead, so CI
 * never passes by skipping.
 */
export function describeIfAvailable(what: string, available: boolean, howToEnable: string) {
  if (available) return describe;
  if (process.env.CI === 'true') {
    return (name: string) => describe(name, () => {
      throw new Error(`${what} is required under CI but not available: ${howToEnable}`);
    });
  }
  process.stderr.write(`\n[skipped] ${what} not available: ${howToEnable}\n`);
  return describe.skip;
}
