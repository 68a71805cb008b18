import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiOutcomes } from '../../src/asterisk/ami-client.js';
import { AmiOutcomeTracker } from '../../src/asterisk/ami-outcomes.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example, until } from '../helpers.js';
import { ASTERISK_FIXTURES } from './fake-asterisk.js';

const STREAM = readFileSync(join(ASTERISK_FIXTURES, 'ami-events-answer-and-busy.txt'), 'latin1');
/** The events after the login and originate responses: what Asterisk pushes on its own. */
const EVENTS = STREAM.slice(STREAM.indexOf('Event: '));
const GREETING = STREAM.slice(0, STREAM.indexOf('\r\n') + 2);

function amiBlocks(text: string): Record<string, string>[] {
  return text.split('\r\n\r\n').filter((b) => b.trim()).map((b) => {
    const obj: Record<string, string> = {};
    for (const line of b.split('\r\n')) {
      const i = line.indexOf(': ');
      obj[line.slice(0, i).toLowerCase()] = line.slice(i + 2);
    }
    return obj;
  });
}

/**
 * Asterisk's AMI side: the greeting, a Login checked against the secret and answered with the
 * client's ActionID (Asterisk echoes it), then the captured event stream cut into uneven chunks.
 */
class FakeAmi {
  readonly server: net.Server;
  logins = 0;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly secret: string, private readonly events = EVENTS) {
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
      s.write(GREETING);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        let end: number;
        while ((end = buf.indexOf('\r\n\r\n')) !== -1) {
          const [action] = amiBlocks(buf.slice(0, end + 4));
          buf = buf.slice(end + 4);
          if (action?.action?.toLowerCase() !== 'login') continue;
          this.logins++;
          if (action.secret !== this.secret) {
            s.write(`Response: Error\r\nActionID: ${action.actionid}\r\nMessage: Authentication failed\r\n\r\n`);
            s.end();
            continue;
          }
          s.write(`Response: Success\r\nActionID: ${action.actionid}\r\nMessage: Authentication accepted\r\n\r\n`);
          this.stream(s);
        }
      });
    });
  }

  private stream(s: net.Socket): void {
    let i = 0;
    let n = 1;
    while (i < this.events.length) {
      const size = 1 + ((n * 7919) % 900); // deterministic uneven chunks, splitting lines and events
      s.write(this.events.slice(i, i + size));
      i += size;
      n++;
    }
  }

  listen(port = 0): Promise<number> {
    return new Promise((r) => this.server.listen(port, '127.0.0.1', () => r((this.server.address() as net.AddressInfo).port)));
  }

  /** Asterisk restarting: every connection dropped, the port closed. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('AMI outcome tracking (captured Asterisk 22 stream)', () => {
  it('the tracker reads one answered and one busy call from the captured events', () => {
    let now = 1000;
    const tracker = new AmiOutcomeTracker(() => now);
    const outcomes = amiBlocks(EVENTS).flatMap((e) => {
      now += 10;
      const o = tracker.handle(e);
      return o ? [o] : [];
    });
    expect(outcomes).toEqual([
      { uniqueId: '1795821605.14', status: 'busy', hangupCause: 17, durationSeconds: 0 },
      { uniqueId: '1795821605.15', status: 'answered', hangupCause: 16, durationSeconds: expect.any(Number) },
    ]);
    expect(tracker.tracked).toBe(0);
  });

  async function setup(secret: string) {
    const dir = mkdtempSync(join(tmpdir(), 'cidgate-ami-'));
    const store = new SqliteStore(join(dir, 'ami.db'));
    const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
    for (const [uniqueId, to] of [['1795821605.14', '0299000000'], ['1795821605.15', '0145678901']] as const) {
      await gateway.check({ campaign: 'customer', from: '0612345678', to, pbx: { source: 'asterisk', uniqueId } }, { record: true });
    }
    const ami = new FakeAmi(secret);
    const port = await ami.listen();
    cleanup.push(() => store.close(), () => ami.stop().catch(() => undefined));
    return { store, gateway, ami, port };
  }

  async function outcomes(store: SqliteStore) {
    const rows = [];
    for await (const r of store.attempts({})) rows.push({ id: r.pbxUniqueId, outcome: r.outcome, cause: r.hangupCause });
    return rows;
  }

  it('logs in, records each outcome once, keyed by the AGI channel\'s Uniqueid', async () => {
    const { store, gateway, port } = await setup('s3cret');
    const client = new AmiOutcomes({ host: '127.0.0.1', port, user: 'cidgate', secret: 's3cret' }, gateway, silentLogger);
    client.start();
    cleanup.push(() => client.stop());
    await until(() => client.recorded === 2);
    expect(await outcomes(store)).toEqual([
      { id: '1795821605.14', outcome: 'busy', cause: 17 },
      { id: '1795821605.15', outcome: 'answered', cause: 16 },
    ]);
  });

  it('reconnects with backoff after Asterisk restarts; a wrong secret is retried, never logged', async () => {
    const { store, gateway, ami, port } = await setup('right');
    const logs: string[] = [];
    const log = Object.assign(Object.create(silentLogger), {
      warn: (o: object) => logs.push(JSON.stringify(o)), error: (o: object) => logs.push(JSON.stringify(o)), info: () => undefined,
    });
    const wrong = new AmiOutcomes({ host: '127.0.0.1', port, user: 'cidgate', secret: 'wrong' }, gateway, log);
    wrong.start();
    await until(() => ami.logins >= 2);
    wrong.stop();
    expect(logs.join('\n')).toContain('ami-login-failed');
    expect(logs.join('\n')).not.toContain('wrong');

    await ami.stop();
    const client = new AmiOutcomes({ host: '127.0.0.1', port, user: 'cidgate', secret: 'right' }, gateway, silentLogger);
    client.start(); // Asterisk is down: connection refused, retried
    cleanup.push(() => client.stop());
    await new Promise((r) => setTimeout(r, 300));
    const back = new FakeAmi('right');
    await back.listen(port);
    cleanup.push(() => back.stop().catch(() => undefined));
    await until(() => client.recorded === 2);
    expect((await outcomes(store)).map((o) => o.outcome)).toEqual(['busy', 'answered']);
  });
});
