import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../bench/ports.js';
import { until } from '../helpers.js';
import { parsePrometheusText } from '../http/prometheus-text.js';
import { grafanaQueries, metricNames, RULES_FILE, rulesWithFor } from '../http/monitoring-files.js';
import { post, startServe, type Served } from '../http/serve-process.js';
import { lockFromAnotherProcess, release } from '../reliability/lock.js';
import { describeIfAvailable } from '../requires.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
/** Exported only by a node on PostgreSQL (this serve runs on SQLite). */
const POSTGRES_ONLY = new Set(['cidgate_clock_skew_seconds', 'cidgate_clock_skew_max_seconds']);

interface ApiAnswer<T> { status: string; data: T; error?: string }

describeIfAvailable('Prometheus', existsSync(PROMETHEUS) && existsSync(PROMTOOL), 'apt-get install prometheus')('deploy/: a real Prometheus scraping cidgate serve', () => {
  let dir: string;
  let served: Served;
  let prometheus: ChildProcess;
  let api: string;
  let log = '';
  const query = async <T>(path: string): Promise<ApiAnswer<T>> => (await fetch(`${api}${path}`)).json() as Promise<ApiAnswer<T>>;
  const instant = (expr: string) => query<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cidgate-prometheus-'));
    served = await startServe({ overrides: { campaigns: { customer: { dailyCapPerNumber: 10 } } } });
    // The shipped rules, held for no time: a test cannot wait the minutes they ask in production.
    writeFileSync(join(dir, 'rules.yml'), rulesWithFor('0s'));
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      scrape_configs: [{ job_name: 'cidgate', static_configs: [{ targets: [`127.0.0.1:${served.ports.http}`] }] }],
    }));
    // Prometheus cannot listen on port 0: a port free a moment ago.
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', (d) => { log += d; });
    await until(async () => (await fetch(`${api}/-/ready`).catch(() => null))?.ok === true, 30_000);
  }, 60_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await served?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('promtool accepts the shipped rules file and the test\'s variant of it', () => {
    for (const file of [RULES_FILE, join(dir, 'rules.yml')]) {
      const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('SUCCESS: 7 rules found');
    }
  });

  it('scrapes cidgate\'s series, and fires CidgateStoreErrors and CidgateDecisionsWithoutHistory after a store error', async () => {
    expect((await post(`${served.url}/v1/decisions`, { campaign: 'customer', from: '0612345678', to: '0145670001' })).body.action).toBe('rewrite');
    await until(async () => (await instant('cidgate_decisions_total{campaign="customer"}')).data.result.length === 1, 20_000);
    const up = await instant('up{job="cidgate"}');
    expect(up.data.result.map((r) => r.value[1])).toEqual(['1']);
    expect((await instant('cidgate_ready')).data.result[0]!.value[1]).toBe('1');
    const ratio = await instant('cidgate_pool_number_cap_use_ratio{campaign="customer"}');
    expect(ratio.data.result.map((r) => Number(r.value[1]))).toContain(0.1);
    expect((await query<{ alerts: unknown[] }>('/api/v1/alerts')).data.alerts).toEqual([]);

    // Another process holds SQLite's write lock: the decision cannot be recorded (onStoreError answers it).
    const holder = await lockFromAnotherProcess(served.db);
    try {
      // A service call: onStoreError allows it, unrecorded.
      expect((await post(`${served.url}/v1/decisions`, { campaign: 'customer', from: '0612345678', to: '0145670002' })).body.action).toBe('rewrite');
      expect(await (await fetch(`${served.url}/metrics`)).text()).toMatch(/^cidgate_store_errors_total 1$/m);
    } finally {
      await release(holder);
    }
    const firing = async () => (await query<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts')).data.alerts
      .filter((a) => a.state === 'firing').map((a) => a.labels.alertname).sort();
    await until(async () => (await firing()).length >= 2, 30_000).catch(() => undefined);
    expect(await firing(), log).toEqual(['CidgateDecisionsWithoutHistory', 'CidgateStoreErrors']);
  }, 90_000);

  it('every query of the Grafana dashboard runs in Prometheus and names a metric cidgate exports', async () => {
    const exported = parsePrometheusText(await (await fetch(`${served.url}/metrics`)).text());
    const queries = grafanaQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) {
      const answer = await instant(expr);
      expect(answer.status, `${panel}: ${expr}: ${answer.error}`).toBe('success');
      for (const name of metricNames(expr)) if (!POSTGRES_ONLY.has(name)) expect(exported.has(name), `${panel}: ${name}`).toBe(true);
    }
  });
});
