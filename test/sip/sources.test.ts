import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { Metrics } from '../../src/service/metrics.js';
import { SipSources, parseCidr } from '../../src/sip/sources.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example } from '../helpers.js';

describe('sip.sources: which PBXs the B2BUA trusts', () => {
  const sources = new SipSources([
    { address: '10.1.0.0/16', campaign: 'customer', assertsConsent: false },
    { address: '10.1.2.3', campaign: 'prospecting', assertsConsent: true },
    { address: '2001:db8::/32', campaign: null, assertsConsent: false },
  ]);

  it.each([
    ['10.1.200.7', 'customer'], ['10.1.2.3', 'prospecting'], ['::ffff:10.1.2.3', 'prospecting'], ['::ffff:10.1.9.9', 'customer'],
    ['2001:db8:5::1', null],
  ])('%s is a trusted source (campaign %s); the most specific block wins', (peer, campaign) => {
    expect(sources.match(peer)?.campaign).toBe(campaign);
  });

  it.each(['10.2.0.1', '192.0.2.1', '2001:db9::1', '', 'garbage', '10.1.2.3; DROP'])('%s is not', (peer) => {
    expect(sources.match(peer)).toBeNull();
  });

  it('nothing configured trusts nobody', () => {
    expect(new SipSources([]).match('127.0.0.1')).toBeNull();
  });

  it.each(['10.0.0.0/33', '10.0.0/24', '10.0.0.0/', '10.0.0.0/24/1', 'pbx.example', '::/129', '10.0.0.0/-1'])('%s is not an address or CIDR block', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe('sip.sources in the config', () => {
  const withSources = (sources: string) => `
campaigns:
  customer: { purpose: service, dialing: manual, pool: ["0199000001"] }
sip:
  sources: ${sources}
`;
  const problems = (yaml: string) => parseConfig(yaml, 't.yaml', { lenient: true }).problems.map((p) => [p.level, p.key, p.message]);

  it('the list form, with CIDR blocks and the consent flag', () => {
    expect(problems(withSources('[{ address: 10.0.0.0/24, campaign: customer, assertsConsent: true }, { address: "2001:db8::5" }]'))).toEqual([]);
  });

  it('the old "address: campaign" form keeps working, with a warning that consent is no longer believed', () => {
    expect(problems(withSources('{ 10.0.0.5: customer }'))).toEqual([
      ['warning', 'sip.sources', expect.stringMatching(/X-Cidgate-Consent from them is ignored/)],
    ]);
  });

  it('a malformed address or an unknown campaign is an error naming the entry', () => {
    expect(problems(withSources('[{ address: 10.0.0.0/40 }, { address: 10.0.0.9, campaign: nope }]'))).toEqual([
      ['error', 'sip.sources.0.address', expect.stringMatching(/not an IP address or a CIDR block/)],
      ['error', 'sip.sources.1.campaign', 'unknown campaign "nope"'],
    ]);
    expect(problems(withSources('{ pbx.example: customer }'))[0]).toEqual(['error', 'sip.sources.pbx.example', expect.stringMatching(/not an IP address/)]);
  });
});

describe('metrics', () => {
  it('count the INVITEs refused from untrusted sources', async () => {
    const store = new SqliteStore(':memory:');
    let refused = 0;
    const metrics = new Metrics(new Gateway(example, store, { now: () => new Date() }, silentLogger), {
      sessions: () => ({}), connections: () => ({}), untrustedRefused: () => ({ drachtio: refused }),
    });
    refused = 2;
    expect(await metrics.registry.metrics()).toMatch(/cidgate_untrusted_refused_total\{adapter="drachtio"\} 2/);
    refused = 5;
    expect(await metrics.registry.metrics()).toMatch(/cidgate_untrusted_refused_total\{adapter="drachtio"\} 5/);
    await store.close();
  });
});
