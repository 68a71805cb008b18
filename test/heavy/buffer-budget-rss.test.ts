import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../bench/ports.js';
import { soakConfig, startServe, stopServe } from '../../bench/soak-parts.js';
import { rssMb } from '../../bench/stats.js';

const dir = mkdtempSync(join(tmpdir(), 'cidgate-rss-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SESSIONS = 3_000;
/** ~56 KB: under the 64 KiB environment cap, never ended. 3,000 of them would hold ~170 MB, ten times the budget. */
const ENV = `agi_network: yes\n${Array.from({ length: 7 }, (_, i) => `agi_pad_${i}: ${'A'.repeat(8000)}\n`).join('')}`;

describe('abusive FastAGI sessions against `cidgate serve` (its own process)', () => {
  it('are closed once all together buffer more than the budget, and RSS returns near its baseline after they close', async () => {
    const port = await freePort();
    const logFile = join(dir, 'serve.log');
    const server = startServe(soakConfig(dir, port), join(dir, 'rss.db'), logFile);
    try {
      await waitForPort(port, 45_000); // the machine may be loaded
      await new Promise((r) => setTimeout(r, 1_000));
      const baseline = rssMb(server.pid!);
      let closedByServer = 0;
      const sockets: net.Socket[] = [];
      for (let i = 0; i < SESSIONS; i += 250) {
        await Promise.all(Array.from({ length: 250 }, () => new Promise<void>((r) => {
          const s = net.connect(port, '127.0.0.1', () => s.write(ENV, () => r()));
          s.on('error', () => r());
          s.on('close', () => { if (sockets.includes(s)) closedByServer++; });
          sockets.push(s);
        })));
      }
      // Until the server has read everything (slow on a loaded machine): no more closes for a second.
      for (let seen = -1; seen !== closedByServer;) {
        seen = closedByServer;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const peak = rssMb(server.pid!);
      expect(closedByServer).toBeGreaterThan(SESSIONS / 2);
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((r) => setTimeout(r, 3_000));
      const after = rssMb(server.pid!);
      process.stderr.write(`RSS baseline ${baseline} MB, with ${SESSIONS} abusive sessions ${peak} MB (${closedByServer} closed by the budget), after they closed ${after} MB\n`);
      // A memory bound, not a timing one: generous.
      expect(after).toBeLessThan(baseline + 100);
      const evicted = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"code":"BUFFER_BUDGET_EXCEEDED"'));
      expect(evicted.length).toBe(closedByServer);
    } finally {
      await stopServe(server);
    }
  }, 120_000);
});
