import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access, RateLimiter, addressList } from '../../src/http/access.js';
import { HttpError } from '../../src/http/errors.js';
import { describeIfAvailable } from '../requires.js';
import { post, startServe, type Served } from './serve-process.js';

const codeOf = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as HttpError).code;
  }
};

describe('who may call the API', () => {
  const access = new Access(addressList(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32'], 'http.allow'), 's3cret-token');

  it('loopback peers need nothing', () => {
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(codeOf(() => access.check(peer, undefined))).toBeNull();
  });

  it('any other peer must be in http.allow (addresses and CIDR blocks) and present the token', () => {
    expect(codeOf(() => access.check('10.2.0.1', 'Bearer s3cret-token'))).toBe('FORBIDDEN');
    expect(codeOf(() => access.check('192.0.2.8', 'Bearer s3cret-token'))).toBe('FORBIDDEN');
    expect(codeOf(() => access.check('10.1.200.3', undefined))).toBe('UNAUTHORIZED');
    expect(codeOf(() => access.check('10.1.200.3', 'Bearer wrong-token!'))).toBe('UNAUTHORIZED');
    expect(codeOf(() => access.check('10.1.200.3', 'Basic s3cret-token'))).toBe('UNAUTHORIZED');
    for (const peer of ['10.1.200.3', '::ffff:10.1.0.9', '192.0.2.7', '2001:db8:1::5']) expect(codeOf(() => access.check(peer, 'Bearer s3cret-token'))).toBeNull();
  });

  it('without a configured token no remote peer is served, and reload from loopback needs no token', () => {
    const open = new Access(addressList(['10.0.0.0/8'], 'http.allow'), null);
    expect(codeOf(() => open.check('10.1.1.1', 'Bearer anything'))).toBe('UNAUTHORIZED');
    expect(codeOf(() => open.checkAdmin('127.0.0.1', undefined))).toBeNull();
    expect(codeOf(() => access.checkAdmin('127.0.0.1', undefined))).toBe('UNAUTHORIZED');
    expect(codeOf(() => access.checkAdmin('127.0.0.1', 'Bearer s3cret-token'))).toBeNull();
  });

  it('a malformed allow entry is a config error', () => {
    expect(() => addressList(['10.0.0.0/33'], 'http.allow')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', context: { entry: '10.0.0.0/33' } }));
    expect(() => addressList(['pbx.example'], 'http.allow')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', context: { entry: 'pbx.example' } }));
  });

  it('each peer gets its rate: a burst of the rate, then 429 until tokens come back', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    for (let i = 0; i < 3; i++) limiter.take('10.1.0.1');
    expect(codeOf(() => limiter.take('10.1.0.1'))).toBe('RATE_LIMITED');
    expect(codeOf(() => limiter.take('10.1.0.2'))).toBeNull();
    now += 400;
    expect(codeOf(() => limiter.take('10.1.0.1'))).toBeNull();
  });
});

const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;

describeIfAvailable('a non-loopback IPv4 address', external !== undefined, 'a network interface with an IPv4 address')('a remote peer over real HTTP', () => {
  let s: Served;
  beforeAll(async () => {
    s = await startServe({ env: { CIDGATE_HTTP_TOKEN: 'remote-token-1' }, overrides: { http: { host: external, allow: [`${external}/32`] } } });
  }, 60_000);
  afterAll(async () => { await s?.stop(); }, 30_000);

  const url = () => `http://${external}:${s.ports.http}/v1/decisions`;
  const body = { campaign: 'customer', to: '0145678901' };

  it('without the token: 401 UNAUTHORIZED, logged', async () => {
    const r = await post(url(), body);
    expect(r).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await post(url(), body, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('with the token: the decision', async () => {
    const r = await post(url(), body, { authorization: 'Bearer remote-token-1' });
    expect(r.status).toBe(200);
    expect(r.body.action).toBe('rewrite');
  });
});
