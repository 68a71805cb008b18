import { BlockList, isIP } from 'node:net';

/** A PBX the B2BUA takes INVITEs from: an address or a CIDR block, and what it is trusted with. */
export interface SipSource {
  readonly address: string;
  /** Campaign of INVITEs from here without X-Cidgate-Campaign. */
  readonly campaign: string | null;
  /** Whether X-Cidgate-Consent from here is believed (the PBX knows the consumer's consent). */
  readonly assertsConsent: boolean;
}

/** The config's `sip.sources`: a list, or the old `address: campaign` mapping. */
export type RawSipSources = readonly SipSource[] | Readonly<Record<string, string>>;

/**
 * The sources as a list. The old mapping (`10.0.0.5: customer`) keeps working, read as sources
 * that may not assert consent: believing a consent header from any PBX was the hole being closed.
 */
export function sourcesOf(raw: RawSipSources): { sources: SipSource[]; oldShape: boolean } {
  if (Array.isArray(raw)) return { sources: [...raw as readonly SipSource[]], oldShape: false };
  return {
    sources: Object.entries(raw).map(([address, campaign]) => ({ address, campaign, assertsConsent: false })),
    oldShape: true,
  };
}

/** `10.0.0.5`, `10.0.0.0/24`, `2001:db8::/32` → its network, prefix length and family; null if malformed. */
export function parseCidr(text: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [network = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(network);
  if (version === 0 || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  return prefix <= max ? { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : null;
}

/** Finds the configured source an INVITE comes from: the most specific block wins. */
export class SipSources {
  private readonly blocks: { source: SipSource; prefix: number; list: BlockList }[] = [];

  constructor(sources: readonly SipSource[]) {
    for (const source of sources) {
      const cidr = parseCidr(source.address);
      if (!cidr) continue; // the config reports it as an error
      const list = new BlockList();
      list.addSubnet(cidr.network, cidr.prefix, cidr.family);
      this.blocks.push({ source, prefix: cidr.prefix + (cidr.family === 'ipv4' ? 96 : 0), list });
    }
    this.blocks.sort((a, b) => b.prefix - a.prefix);
  }

  /** The source of this peer address (IPv4-mapped IPv6 included), or null: not a trusted PBX. */
  match(peer: string): SipSource | null {
    const version = isIP(peer);
    if (version === 0) return null;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    return this.blocks.find((b) => b.list.check(peer, family))?.source ?? null;
  }
}
