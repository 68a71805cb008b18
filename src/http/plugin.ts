import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import type { Gateway } from '../service/gateway.js';
import type { Access } from './access.js';

/** What every route plugin is given. */
export interface HttpContext {
  readonly gateway: Gateway;
  readonly log: Logger;
  readonly access: Access;
}

/** A feature's routes: one entry in `server.ts`'s plugin list. */
export type RoutePlugin = (app: FastifyInstance, ctx: HttpContext) => void | Promise<void>;
