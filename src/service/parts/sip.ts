import { SipB2bua } from '../../sip/b2bua.js';
import { SipSources } from '../../sip/sources.js';
import { readSecret } from '../secrets.js';
import type { PartFactory } from './part.js';

/** The SIP B2BUA on drachtio-server (`sip`), when its secret is given. */
export const sipPart: PartFactory = ({ gateway, logger, config }) => {
  const secret = readSecret('CIDGATE_DRACHTIO_SECRET', config.raw.sip.drachtio.secretFile, logger);
  if (!secret) return null;
  const { drachtio, carrierUri, blockStatus, keepDisplayName, sources } = config.sip;
  const sip = new SipB2bua({
    ...drachtio, secret, carrierUri, blockStatus, keepDisplayName, sources: new SipSources(sources),
  }, gateway, logger);
  return {
    name: 'drachtio', open: () => sip.start(), stop: () => sip.stop(), connected: () => sip.connected, untrustedRefused: () => sip.untrustedRefused,
  };
};
