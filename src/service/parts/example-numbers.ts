import { warnWhileExampleNumbers } from '../../cli/example-numbers.js';
import type { PartFactory } from './part.js';

/** Warns while a pool still holds the example config's numbers. */
export const exampleNumbersPart: PartFactory = ({ gateway, logger }) => {
  let stop: (() => void) | undefined;
  return {
    name: 'example-numbers',
    open() { stop = warnWhileExampleNumbers(() => gateway.config, logger); },
    stop: () => stop?.(),
  };
};
