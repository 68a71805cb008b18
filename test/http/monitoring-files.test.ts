import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { ClockSkewMonitor } from '../../src/service/clock-skew.js';
import { Gateway } from '../../src/service/gateway.js';
import { Metrics } from '../../src/service/metrics.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { configFrom, example } from '../helpers.js';
import { grafanaQueries, metricNames, shippedRules } from './monitoring-files.js';

/** Every metric family /metrics can export: SQLite's, plus a PostgreSQL node's clock gauges. */
async function exportedNames(): Promise<Set<string>> {
  const sqlite = new SqliteStore(':memory:');
  // A store with a shared server clock, as PostgreSQL's: the clock-skew gauges exist only then.
  const shared: Store = Object.assign(Object.create(sqlite) as Store, { serverTime: async () => 0 });
  const metrics = new Metrics(new Gateway(example, shared, { now: () => new Date(0) }, silentLogger), {
    sessions: () => ({}), connections: () => ({}), ready: async () => true,
  });
  new ClockSkewMonitor(async () => 0, 500, silentLogger, metrics.registry);
  const names = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  await sqlite.close();
  return names;
}

describe('deploy/: the Prometheus rules and the Grafana dashboard', () => {
  it('the dashboard\'s queries and the alerts name only metrics /metrics exports', async () => {
    const exported = await exportedNames();
    const named = [...grafanaQueries(), ...shippedRules()].flatMap((q) => [...metricNames(q.expr)]);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('the dashboard shows every cidgate metric, and its datasource is the import\'s input', async () => {
    const shown = new Set(grafanaQueries().flatMap((q) => [...metricNames(q.expr)]));
    expect([...await exportedNames()].filter((n) => n.startsWith('cidgate_') && !shown.has(n))).toEqual([]);
    const doc = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'deploy', 'grafana', 'cidgate.json'), 'utf8'));
    expect(doc.__inputs.map((i: { name: string }) => i.name)).toEqual(['DS_PROMETHEUS']);
    for (const p of doc.panels) expect(p.datasource.uid).toBe('${DS_PROMETHEUS}');
  });

  it('every alert has a summary, a description and a runbook link to its section of docs/monitoring.md', () => {
    const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'monitoring.md'), 'utf8');
    const rules = shippedRules();
    expect(rules.map((r) => r.alert)).toEqual(['CidgateStoreErrors', 'CidgateDecisionsWithoutHistory', 'CidgateNotReady',
      'CidgateAdapterDisconnected', 'CidgatePoolNumberNearCap', 'CidgateClockSkew', 'CidgateBlockRateJump']);
    for (const r of rules) {
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
      expect(r.annotations.runbook_url).toBe(`docs/monitoring.md#${r.alert.toLowerCase()}`);
      expect(page, r.alert).toContain(`### ${r.alert}\n`);
    }
  });

  it('docs/monitoring.md lists every metric /metrics exports', async () => {
    const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'monitoring.md'), 'utf8');
    const listed = new Set([...page.matchAll(/^\| `(cidgate_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
    expect([...await exportedNames()].filter((n) => n.startsWith('cidgate_')).sort()).toEqual([...listed].sort());
  });
});

describe('per-number pool gauge and readiness gauge', () => {
  it('report each capped pool number\'s use against its cap, from the store, and readiness', async () => {
    const store = new SqliteStore(':memory:');
    const config = configFrom(`
campaigns:
  p: { purpose: service, dialing: manual, dailyCapPerNumber: 4, pool: ["0162000009", "0162000010"] }
  q: { purpose: service, dialing: manual, pool: ["0162000011"] }
`);
    const gateway = new Gateway(config, store, { now: () => new Date() }, silentLogger);
    let ready = false;
    const metrics = new Metrics(gateway, { sessions: () => ({}), connections: () => ({}), ready: async () => ready });
    await gateway.check({ campaign: 'p', from: '0612345678', to: '0145000001' }, { record: true });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^cidgate_ready 0$/m);
    const ratios = text.split('\n').filter((l) => l.startsWith('cidgate_pool_number_cap_use_ratio{')).sort();
    expect(ratios).toEqual(['cidgate_pool_number_cap_use_ratio{campaign="p",number="+33162000009"} 0.25',
      'cidgate_pool_number_cap_use_ratio{campaign="p",number="+33162000010"} 0']);
    ready = true;
    expect(await metrics.registry.metrics()).toMatch(/^cidgate_ready 1$/m);
    await store.close();
  });
});
