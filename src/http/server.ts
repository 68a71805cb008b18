import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import type { Gateway } from '../service/gateway.js';
import { Access, RateLimiter, addressList } from './access.js';
import { decisionRoutes } from './decisions.js';
import { HttpError, errorHandler } from './errors.js';
import type { HttpContext, RoutePlugin } from './plugin.js';

/** Every feature's routes, registered in this order. Add a feature's plugin here. */
const PLUGINS: readonly RoutePlugin[] = [decisionRoutes];

/** A request must arrive whole within this time: a slow client cannot hold a connection. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Idle keep-alive connections are closed after this (below common proxies' 60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export interface HttpServerOptions {
  readonly gateway: Gateway;
  readonly log: Logger;
  readonly token: string | null;
}

/** The HTTP API (fastify): access control, rate limit, stable JSON errors, then every plugin's routes. */
export async function buildHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const http = opts.gateway.config.raw.http;
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
      const e = timeout ? new HttpError(408, 'REQUEST_TIMEOUT', 'the request did not arrive in time') : new HttpError(400, 'INVALID_JSON', 'malformed HTTP request');
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
    void reply.status(404).send(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`).body());
  });
  app.addHook('onRequest', async (req) => {
    const peer = req.socket.remoteAddress ?? '';
    access.check(peer, req.headers.authorization);
    limiter.take(peer);
  });
  const ctx: HttpContext = { gateway: opts.gateway, log: opts.log, access };
  for (const plugin of PLUGINS) await app.register(async (scope) => plugin(scope, ctx));
  return app;
}
