import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvapiEngine } from '../../src/kamailio/evapi-engine.js';
import { NetstringParser, netstring } from '../../src/kamailio/evapi-protocol.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example, until } from '../helpers.js';

/** Kamailio's evapi side: accepts the engine's connection, sends frames, collects the answers. */
class FakeKamailio {
  readonly server = net.createServer((s) => this.accept(s));
  socket: net.Socket | null = null;
  accepted = 0;
  readonly answers: Record<string, unknown>[] = [];

  private accept(s: net.Socket): void {
    this.accepted++;
    this.socket = s;
    const parser = new NetstringParser(100_000);
    s.on('data', (c) => { for (const f of parser.push(c)) this.answers.push(JSON.parse(f.toString()) as Record<string, unknown>); });
    s.on('error', () => {});
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  send(data: Buffer | string): void {
    this.socket!.write(typeof data === 'string' ? netstring(data) : data);
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let kamailio: FakeKamailio;
let store: SqliteStore;
let engine: EvapiEngine;

beforeEach(async () => {
  kamailio = new FakeKamailio();
  const port = await kamailio.listen();
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cidgate-evapi-')), 'e.db'));
  const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
  engine = new EvapiEngine({ endpoints: [`127.0.0.1:${port}`], reconnectMaxMs: 200, maxMessageBytes: 4096, allowDecisionTime: false }, gateway, silentLogger);
  await engine.open();
});
afterEach(async () => {
  await engine.stop(0);
  await kamailio.close();
  store.close();
});

const decide = (id: string, call: Record<string, unknown>) => JSON.stringify({ type: 'decide', id, call });

describe('cidgate as Kamailio\'s evapi engine (a fake evapi socket)', () => {
  it('connects, answers a call as POST /v1/decisions would, and records its outcome by key', async () => {
    expect(engine.connected()).toBe(true);
    kamailio.send(decide('11:22', { from: '0612345678', to: '0472123456', campaign: 'customer', key: 'call-1', source: 'kamailio' }));
    await until(() => kamailio.answers.length === 1);
    expect(kamailio.answers[0]).toMatchObject({ type: 'decision', id: '11:22', status: 200, action: 'rewrite', callerId: '0465710001' });
    kamailio.send(JSON.stringify({ type: 'outcome', outcome: { key: 'call-1', sipStatus: 486 } }));
    await until(async () => (await store.findAttempt({ pbxUniqueId: 'call-1' }))?.outcome === 'busy');
    // The acknowledgement is written once the outcome is recorded: it may still be on its way.
    await until(() => kamailio.answers.length === 2);
    expect(kamailio.answers[1]).toEqual({ type: 'received' });
  });

  it('answers an invalid field with its status, code and field, and a decision time it does not allow', async () => {
    kamailio.send(decide('1:1', { to: '0472123456', campaign: 'customer', agent: 'a'.repeat(129) }));
    kamailio.send(decide('1:2', { to: '0472123456', campaign: 'customer', consent: 'yes' }));
    kamailio.send(decide('1:3', { to: '0472123456', campaign: 'customer', at: '2026-11-30T10:00:00Z' }));
    await until(() => kamailio.answers.length === 3);
    const byId = Object.fromEntries(kamailio.answers.map((a) => [a.id, a]));
    expect(byId['1:1']).toEqual({ type: 'decision', id: '1:1', status: 400, code: 'INVALID_FIELD', field: 'agent' });
    expect(byId['1:2']).toMatchObject({ status: 400, code: 'INVALID_FIELD', field: 'consent' });
    expect(byId['1:3']).toMatchObject({ status: 400, code: 'DECISION_TIME_NOT_ALLOWED', field: 'at' });
  });

  it('answers a bad message that carries an id fail-closed, ignores one without, and stays connected', async () => {
    kamailio.send('{"type":"decide","id":"5:6"}');
    kamailio.send('not json');
    kamailio.send(decide('5:7', { to: '0472123456', campaign: 'customer' }));
    await until(() => kamailio.answers.length === 2);
    expect(kamailio.answers[0]).toEqual({ type: 'decision', id: '5:6', status: 400, code: 'EVAPI_PROTOCOL_ERROR' });
    expect(kamailio.answers[1]).toMatchObject({ id: '5:7', status: 200 });
    expect(engine.protocolErrors).toBe(2);
    expect(kamailio.accepted).toBe(1);
  });

  it('drops a connection whose framing breaks (oversized frame) and reconnects with backoff', async () => {
    kamailio.send(Buffer.from('99999:'));
    await until(() => kamailio.accepted === 2, 5000);
    await until(() => engine.connected());
    kamailio.send(decide('9:9', { to: '0472123456', campaign: 'customer' }));
    await until(() => kamailio.answers.some((a) => a.id === '9:9'));
  });

  it('is not connected while Kamailio is gone, and connects again when it is back', async () => {
    const port = (kamailio.server.address() as net.AddressInfo).port;
    await kamailio.close();
    await until(() => !engine.connected());
    kamailio = new FakeKamailio();
    await new Promise<void>((r) => kamailio.server.listen(port, '127.0.0.1', r));
    await until(() => engine.connected(), 5000);
  });
});
