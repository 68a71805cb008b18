import { HttpError } from './errors.js';
import type { RoutePlugin } from './plugin.js';

/** `POST /v1/admin/reload`: what SIGHUP does, answering whether the new config was taken. */
export const adminRoutes: RoutePlugin = (app, { access, service }) => {
  app.post('/v1/admin/reload', async (req) => {
    access.checkAdmin(req.socket.remoteAddress ?? '', req.headers.authorization);
    const result = await service.reload('http');
    if (!result.ok) throw new HttpError('RELOAD_FAILED', [result.error ?? 'the new config was not taken']);
    return result;
  });
};
