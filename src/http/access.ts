import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { CidgateError } from '../errors.js';
import { HttpError } from './errors.js';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isLoopback(address: string): boolean {
  const a = plainAddress(address);
  return a === '::1' || (net.isIPv4(a) && a.startsWith('127.'));
}

/** Addresses and CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`); a malformed entry is a config error. */
export function addressList(entries: readonly string[], what: string): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.trim().split('/');
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
    const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
      throw new CidgateError('CONFIG_INVALID', [what, `"${entry}" is not an address or CIDR block`], { entry });
    }
    list.addSubnet(address, prefix, family);
  }
  return list;
}

function allows(list: net.BlockList, address: string): boolean {
  const a = plainAddress(address);
  return list.check(a, net.isIPv4(a) ? 'ipv4' : 'ipv6');
}

/**
 * Who may call the API: loopback peers freely; any other peer only from `http.allow` AND with
 * `Authorization: Bearer <token>` (no token configured: no remote access at all).
 */
export class Access {
  private readonly token: Buffer | null;

  constructor(private readonly allowList: net.BlockList, token: string | null) {
    this.token = token ? Buffer.from(token) : null;
  }

  check(peer: string, authorization: string | undefined): void {
    if (isLoopback(peer)) return;
    if (!allows(this.allowList, peer)) throw new HttpError('FORBIDDEN', []);
    if (!this.hasToken(authorization)) throw new HttpError('UNAUTHORIZED', []);
  }

  /** The admin endpoints need the token even from loopback, when one is configured. */
  checkAdmin(peer: string, authorization: string | undefined): void {
    this.check(peer, authorization);
    if (this.token && !this.hasToken(authorization)) throw new HttpError('UNAUTHORIZED', []);
  }

  private hasToken(authorization: string | undefined): boolean {
    if (!this.token) return false;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1]!);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}

/** A token bucket per peer address: `perSecond` sustained, bursts of the same size. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number, private readonly now: () => number = () => performance.now()) {}

  take(peer: string): void {
    const t = this.now();
    const b = this.buckets.get(peer) ?? { tokens: this.perSecond, at: t };
    b.tokens = Math.min(this.perSecond, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    if (b.tokens < 1) {
      this.buckets.set(peer, b);
      throw new HttpError('RATE_LIMITED', [this.perSecond]);
    }
    b.tokens -= 1;
    this.buckets.set(peer, b);
  }
}
