import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { agiSession, randomCallee, type AgiOutcome } from '../../bench/agi-client.js';
import { until } from '../helpers.js';
import { startServe } from '../http/serve-process.js';
import { freePort } from '../../bench/ports.js';

const RATE = 1_000;
const SECONDS = 4;


describe('reload under load', () => {
  it(`SIGHUP twice during ${RATE} FastAGI sessions/s for ${SECONDS} s: no session lost or failed, new calls on the new config`, async () => {
    const s = await startServe({ overrides: {
      asterisk: { fastagi: { enabled: true, port: await freePort() } },
      freeswitch: { outbound: { enabled: true, port: await freePort() } },
      campaigns: { prospecting: { purpose: 'service' } }, // the limits would block repeated callees; the reload is what is tested
    } });
    try {
      const port = s.ports.fastagi!;
      const sessions: Promise<AgiOutcome>[] = [];
      const reload = (edit: (c: any) => void) => {
        const c = parse(readFileSync(s.config, 'utf8'));
        edit(c);
        writeFileSync(s.config, stringify(c));
        s.proc.kill('SIGHUP');
      };
      const t0 = performance.now();
      let reloads = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const elapsed = (performance.now() - t0) / 1000;
          const due = Math.min(RATE * SECONDS, Math.floor(elapsed * RATE));
          while (sessions.length < due) sessions.push(agiSession(port, randomCallee(), { timeoutMs: 30_000 }));
          if (reloads === 0 && elapsed > 1.3) {
            reloads++;
            // A new caller ID pool, and the Event Socket listener moved: re-bound while FastAGI keeps serving.
            void freePort().then((p) => reload((c) => { c.campaigns.prospecting.pool = ['01 62 00 00 09', '09 48 00 00 09']; c.freeswitch.outbound.port = p; }));
          } else if (reloads === 1 && elapsed > 2.6) {
            reloads++;
            reload((c) => { c.log.level = 'warn'; });
          }
          if (sessions.length >= RATE * SECONDS) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      const outcomes = await Promise.all(sessions);
      const failed = outcomes.filter((o) => o.error !== null || !o.variables.get('CIDGATE_ACTION'));
      expect(failed.length, JSON.stringify(failed.slice(0, 3).map((f) => ({ error: f.error, vars: [...f.variables] })))).toBe(0);
      expect(outcomes).toHaveLength(RATE * SECONDS);
      await until(() => s.lines.filter((l) => l.includes('"event":"reloaded"')).length >= 1, 10_000);
      expect(s.lines.find((l) => l.includes('"event":"reloaded"'))).toMatch(/"rebound":\["freeswitch"\]/);
      const presented = new Set(outcomes.map((o) => o.variables.get('CIDGATE_CALLERID')));
      expect(presented).toContain('0162000001'); // before the reload
      expect(presented).toContain('0162000009'); // after
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      const decided = [...metrics.matchAll(/^cidgate_decisions_total\{campaign="prospecting",action="\w+"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(decided).toBe(RATE * SECONDS);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
