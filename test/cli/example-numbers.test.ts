import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_WARNING_EVERY_MS, exampleNumbersIn, warnWhileExampleNumbers, type Repeat } from '../../src/cli/example-numbers.js';
import type { Config } from '../../src/config/compile.js';
import { createLogger } from '../../src/log.js';
import { configFrom, example } from '../helpers.js';
import { startServe } from '../http/serve-process.js';

/** The example's layout with numbers of one's own: nothing of the example's pool is left. */
const OWN = configFrom(`
campaigns:
  prospecting: { purpose: prospecting, dialing: automated, basis: consent, pool: ["01 62 45 12 34"] }
  customer: { purpose: service, dialing: manual, pool: ["01 99 45 12 34"] }
`);

/** A logger whose lines are collected, and a clock whose hours are turned by hand. */
function harness() {
  const stream = new PassThrough();
  const lines: { event?: string; level: number; count?: number }[] = [];
  stream.on('data', (d: Buffer) => { for (const l of d.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); });
  const ticks: { ms: number; fn: () => void }[] = [];
  let stopped = false;
  const repeat: Repeat = (ms, fn) => { ticks.push({ ms, fn }); return () => { stopped = true; }; };
  const hourPasses = async () => { for (const t of ticks) t.fn(); await new Promise((r) => setImmediate(r)); };
  return { logger: createLogger('info', stream), lines, repeat, hourPasses, ticks, stopped: () => stopped };
}

describe('serve on the example\'s pool numbers', () => {
  it('recognises every example pool number, and none of a site\'s own', () => {
    const found = exampleNumbersIn(example);
    expect(found.map((c) => c.campaign)).toEqual(['prospecting', 'customer']);
    expect(found.flatMap((c) => c.numbers)).toHaveLength([...example.campaigns.values()].reduce((n, c) => n + c.pool.length, 0));
    expect(exampleNumbersIn(OWN)).toEqual([]);
  });

  it('recognises one example number left among real ones, whatever its spelling', () => {
    const mixed = configFrom(`
campaigns:
  dialer: { purpose: prospecting, dialing: automated, basis: consent, pool: ["01 62 45 12 34", "+33 1 62 00 00 01"] }
`);
    expect(exampleNumbersIn(mixed)).toEqual([{ campaign: 'dialer', numbers: ['+33162000001'] }]);
  });

  it('warns (an error line) at start and again every hour, until stopped', async () => {
    const h = harness();
    const stop = warnWhileExampleNumbers(() => example, h.logger, h.repeat);
    await new Promise((r) => setImmediate(r));
    expect(h.lines).toMatchObject([{ event: 'example-numbers', level: 50 }]);
    expect(h.ticks.map((t) => t.ms)).toEqual([EXAMPLE_WARNING_EVERY_MS]);
    await h.hourPasses();
    await h.hourPasses();
    expect(h.lines.filter((l) => l.event === 'example-numbers')).toHaveLength(3);
    stop();
    expect(h.stopped()).toBe(true);
  });

  it('stops warning once a reload brings the site\'s own numbers; says nothing for them from the start', async () => {
    const h = harness();
    let config: Config = example;
    warnWhileExampleNumbers(() => config, h.logger, h.repeat);
    config = OWN;
    await h.hourPasses();
    expect(h.lines.filter((l) => l.event === 'example-numbers')).toHaveLength(1);
    const quiet = harness();
    warnWhileExampleNumbers(() => OWN, quiet.logger, quiet.repeat);
    await quiet.hourPasses();
    expect(quiet.lines).toEqual([]);
  });

  it('a copy of the example config served from elsewhere warns at start', async () => {
    const served = await startServe();
    try {
      const warning = served.lines.map((l) => JSON.parse(l) as { event?: string; level: number }).find((l) => l.event === 'example-numbers');
      expect(warning).toMatchObject({ level: 50 });
    } finally {
      await served.stop(); // removes its directory too
    }
  });
});
