import type { RoutePlugin } from './plugin.js';

/** `/healthz`: the process answers. `/readyz`: the store and every enabled adapter are connected (503 otherwise). */
export const healthRoutes: RoutePlugin = (app, { service }) => {
  const started = performance.now();
  app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: Math.round((performance.now() - started) / 1000) }));
  app.get('/readyz', async (_req, reply) => {
    const r = await service.ready();
    return reply.status(r.ready ? 200 : 503).send(r);
  });
};
