import { hostname } from 'node:os';
import type { RawConfig } from '../config/schema.js';

/** The name this node's decisions are recorded under: `nodeName`, or the host's name. */
export function nodeName(raw: RawConfig): string {
  return raw.nodeName ?? hostname();
}
