import type { RoutePlugin } from './plugin.js';

/** `/metrics` in the Prometheus text format. */
export const metricsRoutes: RoutePlugin = (app, { service }) => {
  app.get('/metrics', async (_req, reply) => {
    const text = await service.registry.metrics();
    return reply.type(service.registry.contentType).send(text);
  });
};
