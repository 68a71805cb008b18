import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Gateway } from '../service/gateway.js';
import type { Registry } from 'prom-client';
import type { Access } from './access.js';

export interface Readiness {
  readonly ready: boolean;
  /** One entry per dependency: the store and each enabled adapter's connection. */
  readonly checks: Record<string, { readonly ok: boolean; readonly detail?: string }>;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly config: string;
  readonly error?: string;
  /** Listeners re-bound to a new address. */
  readonly rebound?: readonly string[];
  /** Settings that changed but take a restart (database, PBX connections). */
  readonly needsRestart?: readonly string[];
}

/** What the running service offers the routes. */
export interface ServiceHooks {
  ready(): Promise<Readiness>;
  reload(trigger: string): Promise<ReloadResult>;
  readonly registry: Registry;
}

/** What every route plugin is given. */
export interface HttpContext {
  readonly gateway: Gateway;
  readonly log: Logger;
  readonly access: Access;
  readonly service: ServiceHooks;
  readonly version: string;
  readonly clock: Clock;
}

/** A feature's routes: one entry in `server.ts`'s plugin list. */
export type RoutePlugin = (app: FastifyInstance, ctx: HttpContext) => void | Promise<void>;
