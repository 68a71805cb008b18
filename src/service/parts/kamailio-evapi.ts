import { EvapiEngine } from '../../kamailio/evapi-engine.js';
import type { PartFactory } from './part.js';

/** The evapi engine (`kamailio.evapi`): connects to each Kamailio and answers its suspended INVITEs. */
export const kamailioEvapiPart: PartFactory = ({ gateway, logger, config }) => {
  const options = config.raw.kamailio.evapi;
  if (!options.enabled) return null;
  const evapi = new EvapiEngine(options, gateway, logger);
  return { name: 'kamailio-evapi', open: () => evapi.open(), stop: (g) => evapi.stop(g), connected: () => evapi.connected() };
};
