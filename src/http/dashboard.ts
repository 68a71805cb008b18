import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { escapeHtml } from '../report/charts.js';
import { BASE_CSS } from '../report/html.js';
import { nodeName } from '../service/node-name.js';
import { DASHBOARD_RECENT, dashboardSince, dashboardSnapshot, poolUseToday } from './dashboard-state.js';
import { dashboardMain, type DashboardSnapshot } from './dashboard-view.js';
import { HttpError } from './errors.js';
import type { RoutePlugin } from './plugin.js';

/**
 * The browser modules, served as `npm run build` compiled them (dist/src/…), under the same paths
 * relative to each other: nothing else of dist/ is reachable.
 */
const MODULES = ['http/dashboard-client.js', 'http/dashboard-view.js', 'report/charts.js'];

/** How long one read of the store serves the dashboard's requests. */
const SNAPSHOT_REUSE_MS = 1_000;

/** The page's own script and same-origin requests only: nothing fetched from elsewhere, no inline script. */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DASHBOARD_CSS = `
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; }
table.recent td { font-size: 13px; } table.recent td:first-child { white-space: nowrap; } td.action-block { color: var(--block); font-weight: 600; }
td.action-allow { color: var(--allow); } td.action-rewrite { color: var(--rewrite); } #reasons svg .hbar { fill: var(--block); }
`;

function page(s: DashboardSnapshot): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cidgate dashboard</title>
<style>${BASE_CSS}${DASHBOARD_CSS}</style>
<script type="module" src="/dashboard/http/dashboard-client.js"></script></head>
<body>
<header><h1>cidgate — live</h1><p id="status" class="muted">Snapshot of ${escapeHtml(s.time)} (${escapeHtml(s.timeZone)})</p></header>
<p class="muted">Every node's decisions, read from the database: the last hour by minute and the last 50, consumers' numbers partly hidden; connections are those of node ${escapeHtml(s.node)}. Read only; updated every 2 s.</p>
<main id="live">${dashboardMain(s)}</main>
</body></html>
`;
}

function moduleSource(path: string): string {
  const file = join(PACKAGE_ROOT, 'dist', 'src', path);
  try {
    // The source map is not served: drop its reference.
    return readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  } catch {
    throw new HttpError('NOT_FOUND', [`build of ${path} (run npm run build)`]);
  }
}

/**
 * `/`: the live dashboard, read only, behind the API's allow-list and token like every route.
 * `/dashboard.json`: the figures it shows (the page polls it). The counts, pool usage and last
 * decisions come from the store, every node's; readiness is this node's, read when asked.
 */
export const dashboardRoutes: RoutePlugin = (app, { gateway, service, clock }) => {
  const read = async (): Promise<DashboardSnapshot> => {
    const now = clock.now();
    const config = gateway.config;
    const [figures, pool, readiness] = await Promise.all([
      gateway.store.dashboard(dashboardSince(now), DASHBOARD_RECENT), poolUseToday(gateway.store, config, now), service.ready(),
    ]);
    return dashboardSnapshot(figures, pool, config, now, { node: nodeName(config.raw), readiness, decisionsSeen: gateway.stats.decisions });
  };
  // Browsers polling at once share one read of the store: at most one a second per node.
  let cached: { at: number; snapshot: Promise<DashboardSnapshot> } | null = null;
  const snapshot = (): Promise<DashboardSnapshot> => {
    const now = clock.now().getTime();
    if (!cached || now - cached.at >= SNAPSHOT_REUSE_MS || now < cached.at) {
      const entry = { at: now, snapshot: read() };
      entry.snapshot.catch(() => { if (cached === entry) cached = null; });
      cached = entry;
    }
    return cached.snapshot;
  };
  const modules = new Map<string, string>();

  app.get('/', async (_req, reply) => reply
    .header('content-security-policy', CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    .send(page(await snapshot())));
  app.get('/dashboard.json', async (_req, reply) => reply.header('cache-control', 'no-store').send(await snapshot()));
  app.get<{ Params: { '*': string } }>('/dashboard/*', async (req, reply) => {
    const path = req.params['*'];
    if (!MODULES.includes(path)) throw new HttpError('NOT_FOUND', [`dashboard file ${path.slice(0, 100)}`]);
    if (!modules.has(path)) modules.set(path, moduleSource(path));
    return reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(modules.get(path));
  });
};
