import { CidgateError } from '../../errors.js';
import { buildHttpServer } from '../../http/server.js';
import { readSecret } from '../secrets.js';
import { listenerPart } from './listener.js';
import type { PartFactory } from './part.js';

/** The HTTP API, /metrics, /readyz and the dashboard (`http`). */
export const httpPart: PartFactory = ({ gateway, logger, config, service }) => listenerPart('http', ({ raw: { http: o } }) => (!o.enabled ? null : {
  address: `${o.host}:${o.port}`,
  async open() {
    const token = readSecret('CIDGATE_HTTP_TOKEN', o.tokenFile, logger);
    const { app, inFlight } = await buildHttpServer({ gateway, log: logger, token, service });
    try {
      await app.listen({ host: o.host, port: o.port, listenTextResolver: () => '' });
    } catch (err) {
      await app.close();
      throw new CidgateError('LISTEN_FAILED', ['http', `${o.host}:${o.port}`, (err as Error).message], { name: 'http', host: o.host, port: o.port });
    }
    return {
      port: (app.server.address() as { port: number }).port,
      sessions: inFlight,
      async stop(graceMs) {
        // fastify waits for requests in flight; past the grace they are cut.
        const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(timer);
        }
      },
    };
  },
}), logger, config);
