import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseConfig } from '../../src/config/load.js';
import { startServe } from '../http/serve-process.js';

const problemsOf = (yaml: string) => parseConfig(yaml, 'test.yaml', { lenient: true }).problems.map((p) => ({ level: p.level, key: p.key, line: p.line, message: p.message }));
const warnings = (yaml: string) => problemsOf(yaml).filter((p) => p.level === 'warning');

const prospecting = (hours: string) => `
campaigns:
  p:
    purpose: prospecting
    dialing: automated
    hours: ${hours}
    pool: ["0948000001"]
`;

describe('config that cannot work', () => {
  it('refuses a time past 24:00 (24:30), with its key and line; 24:00 ends a day', () => {
    expect(() => parseConfig(prospecting('[{ days: [mon], from: "10:00", to: "24:30" }]'), 'test.yaml')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/test\.yaml:6: campaigns\.p\.hours\.0\.to: a time as HH:MM/) }));
    expect(() => parseConfig(prospecting('[{ days: [mon], from: "23:60", to: "24:00" }]'), 'test.yaml')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/hours\.0\.from/) }));
    expect(problemsOf(prospecting('[{ days: [mon], from: "14:00", to: "24:00" }]')).filter((p) => p.level === 'error')).toEqual([]);
  });

  it.each([
    ['the weekend only', '[{ days: [sat, sun], from: "10:00", to: "18:00" }]'],
    ['mornings before 10:00', '[{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "10:00" }]'],
    ['lunch and evenings', '[{ days: [mon], from: "13:00", to: "14:00" }, { days: [fri], from: "20:00", to: "22:00" }]'],
  ])('warns when a prospecting campaign\'s hours never meet the legal window: %s', (_, hours) => {
    expect(warnings(prospecting(hours))).toEqual([expect.objectContaining({ key: 'campaigns.p.hours', message: expect.stringMatching(/never meet the legal window.*blocked.*no retry time/) })]);
  });

  it('says nothing when the hours meet the window for a minute', () => {
    expect(warnings(prospecting('[{ days: [sun, mon], from: "08:00", to: "10:01" }]'))).toEqual([]);
  });

  it('config check prints the warning and still exits 0', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cidgate-cfg-')), 'c.yaml');
    writeFileSync(file, prospecting('[{ days: [sat], from: "10:00", to: "12:00" }]'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => { text += d; });
    expect(await main(['node', 'cidgate', 'config', 'check', file], out, new PassThrough())).toBe(0);
    expect(text).toMatch(/warning: .*c\.yaml:6: campaigns\.p\.hours: these hours never meet the legal window/);
  });
});

describe('at start', () => {
  it('cidgate serve logs the same warning', async () => {
    const served = await startServe({ overrides: { campaigns: { prospecting: { hours: [{ days: ['sat'], from: '10:00', to: '12:00' }] } } } });
    try {
      const warning = served.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'config-warning');
      expect(warning).toMatchObject({ key: 'campaigns.prospecting.hours', msg: expect.stringMatching(/never meet the legal window/) });
    } finally {
      await served.stop();
    }
  }, 60_000);
});

describe('a number listed twice is a warning naming both places', () => {
  it('written three ways in one pool', () => {
    const w = warnings(`
campaigns:
  p:
    purpose: prospecting
    dialing: automated
    pool: ["0948000001", "09 48 00 00 01", "+33 (0)9 48 00 00 01"]
`);
    expect(w).toEqual([
      { level: 'warning', key: 'campaigns.p.pool.1', line: 6, message: '"09 48 00 00 01" is +33948000001, also at campaigns.p.pool.0 ("0948000001"): listed twice in this pool' },
      { level: 'warning', key: 'campaigns.p.pool.2', line: 6, message: '"+33 (0)9 48 00 00 01" is +33948000001, also at campaigns.p.pool.0 ("0948000001"): listed twice in this pool' },
    ]);
  });

  it('in two campaigns\' pools, and in a pool and ownedNumbers', () => {
    const w = warnings(`
ownedNumbers: ["+33 9 77 40 00 01"]
campaigns:
  a:
    purpose: service
    dialing: manual
    pool: ["0977400001"]
  b:
    purpose: service
    dialing: manual
    pool:
      - 09 77 40 00 01
`);
    expect(w.map((p) => [p.key, p.message])).toEqual([
      ['campaigns.b.pool.0', '"09 77 40 00 01" is +33977400001, also at campaigns.a.pool.0 ("0977400001"): campaigns a and b both present it, so a callback cannot tell them apart'],
      ['ownedNumbers.0', '"+33 9 77 40 00 01" is +33977400001, also at campaigns.a.pool.0 ("0977400001"): pool numbers are owned already'],
    ]);
  });
});
