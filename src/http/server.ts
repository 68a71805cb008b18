import Fastify, { type FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { VERSION } from '../paths.js';
import type { Gateway } from '../service/gateway.js';
import { Access, RateLimiter, addressList } from './access.js';
import { adminRoutes } from './admin.js';
import { dashboardRoutes } from './dashboard.js';
import { decisionRoutes } from './decisions.js';
import { HttpError, errorHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { openApiRoutes } from './openapi.js';
import type { HttpContext, RoutePlugin, ServiceHooks } from './plugin.js';
import { recordRoutes } from './records.js';

/** Every feature's routes, registered in this order. Add a feature's plugin here. */
const PLUGINS: readonly RoutePlugin[] = [decisionRoutes, recordRoutes, healthRoutes, metricsRoutes, adminRoutes, openApiRoutes, dashboardRoutes];

/** A request must arrive whole within this time: a slow client cannot hold a connection. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Idle keep-alive connections are closed after this (below common proxies' 60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export interface HttpServerOptions {
  readonly gateway: Gateway;
  readonly log: Logger;
  readonly token: string | null;
  readonly service: ServiceHooks;
  /** What "now" is for the routes that show time (the dashboard); the system clock by default. */
  readonly clock?: Clock;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  /** Requests being answered now. */
  inFlight(): number;
}

/** The HTTP API (fastify): access control, rate limit, stable JSON errors, then every plugin's routes. */
export async function buildHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const http = opts.gateway.config.http;
  const access = new Access(addressList(http.allow, 'http.allow'), opts.token);
  const limiter = new RateLimiter(http.rateLimitPerSecond);
  const app = Fastify({
    bodyLimit: http.bodyLimitBytes,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Malformed requests and timeouts are answered in the API's error shape, never a crash.
    clientErrorHandler: (err, socket) => {
      const timeout = (err as NodeJS.ErrnoException).code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const e = timeout ? new HttpError('REQUEST_TIMEOUT', [REQUEST_TIMEOUT_MS / 1000]) : new HttpError('INVALID_JSON', ['not valid HTTP']);
      opts.log.warn({ event: 'http-error', status: e.status, code: e.code, peer: socket.remoteAddress }, 'HTTP request refused');
      if (socket.writable) {
        const body = JSON.stringify(e.body());
        socket.end(`HTTP/1.1 ${e.status} ${timeout ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        socket.destroy();
      }
    },
  });
  app.setErrorHandler(errorHandler(opts.log));
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(new HttpError('NOT_FOUND', [`route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`]).body());
  });
  let inFlight = 0;
  // Callback hooks, not async ones: three promises fewer per request on the decision path.
  app.addHook('onResponse', (_req, _reply, done) => { inFlight--; done(); });
  app.addHook('onRequestAbort', (_req, done) => { inFlight--; done(); });
  app.addHook('onRequest', (req, _reply, done) => {
    inFlight++;
    const peer = req.socket.remoteAddress ?? '';
    try {
      access.check(peer, req.headers.authorization);
      limiter.take(peer);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
  const ctx: HttpContext = { gateway: opts.gateway, log: opts.log, access, service: opts.service, version: VERSION, clock: opts.clock ?? systemClock };
  for (const plugin of PLUGINS) await app.register(async (scope) => plugin(scope, ctx));
  return { app, inFlight: () => inFlight };
}
