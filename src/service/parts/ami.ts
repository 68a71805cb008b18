import { AmiOutcomes } from '../../asterisk/ami-client.js';
import { readSecret } from '../secrets.js';
import type { PartFactory } from './part.js';

/** Call outcomes from Asterisk's AMI (`asterisk.ami`), when its secret is given. */
export const amiPart: PartFactory = ({ gateway, logger, config }) => {
  const secret = readSecret('CIDGATE_AMI_SECRET', config.raw.asterisk.ami.secretFile, logger);
  if (!secret) return null;
  const ami = new AmiOutcomes({ ...config.raw.asterisk.ami, secret }, gateway, logger);
  return { name: 'ami', open: () => ami.start(), stop: () => ami.stop(), connected: () => ami.connected };
};
