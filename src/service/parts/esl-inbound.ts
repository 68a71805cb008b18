import { EslOutcomes } from '../../freeswitch/esl-outcomes.js';
import { readSecret } from '../secrets.js';
import type { PartFactory } from './part.js';

/** Call outcomes from FreeSWITCH's inbound Event Socket (`freeswitch.inbound`), when its password is given. */
export const eslInboundPart: PartFactory = ({ gateway, logger, config }) => {
  const password = readSecret('CIDGATE_ESL_PASSWORD', config.raw.freeswitch.inbound.passwordFile, logger);
  if (!password) return null;
  const esl = new EslOutcomes({ ...config.raw.freeswitch.inbound, password }, gateway, logger);
  return { name: 'eslInbound', open: () => esl.start(), stop: () => esl.stop(), connected: () => esl.connected };
};
