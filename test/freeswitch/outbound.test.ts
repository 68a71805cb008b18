import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EslOutcomes } from '../../src/freeswitch/esl-outcomes.js';
import { EslOutboundServer } from '../../src/freeswitch/outbound-server.js';
import { executeApp, safeArg } from '../../src/freeswitch/esl-protocol.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example } from '../helpers.js';
import { FakeFreeSwitchCall, captured, multiset } from './fake-freeswitch.js';

let store: SqliteStore;
let gateway: Gateway;
let server: EslOutboundServer;
let port: number;

beforeEach(async () => {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cidgate-fs-')), 'fs.db'));
  gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, silentLogger);
  server = new EslOutboundServer({
    name: 'freeswitch', host: '127.0.0.1', port: 0, allow: ['127.0.0.1', '::ffff:127.0.0.1'], maxSessions: 10,
    idleTimeoutMs: 2000, callerIdFormat: 'national', hangupCause: 'CALL_REJECTED', blockMessage: null,
  }, gateway, silentLogger);
  port = (await server.listen()).port;
});
afterEach(async () => {
  await server.close(100);
  await store.close();
});

async function rows() {
  const all = [];
  for await (const r of store.attempts({})) all.push(r);
  return all;
}

const cmdNames = (call: FakeFreeSwitchCall) => call.commands.map((c) => {
  const lines = c.split('\n');
  const app = lines.find((l) => l.startsWith('execute-app-name: '))?.slice(18);
  const cc = lines.find((l) => l.startsWith('call-command: '))?.slice(14);
  return [lines[0], cc, app].filter(Boolean).join(' ');
});

describe('Event Socket outbound handler against a fake FreeSWITCH 1.10', () => {
  it('rewrite: ONE multiset with the variables and effective_caller_id_number, waits for it to run, resumes and exits', async () => {
    const call = new FakeFreeSwitchCall(port, { variables: { cidgate_campaign: 'prospecting', cidgate_consent: '1' } });
    await call.done;
    expect(cmdNames(call)).toEqual(['connect', 'myevents', 'linger', 'sendmsg execute multiset', 'resume', 'exit']);
    expect(call.commands[3]).toMatch(/^sendmsg\ncall-command: execute\nexecute-app-name: multiset\nexecute-app-arg: cidgate_action=rewrite cidgate_callerid=0162000001 cidgate_reason=mobile-caller-id,caller-id-not-owned,npv-required cidgate_retry_at= cidgate_attempt=\d+ effective_caller_id_number=0162000001\nEvent-UUID: [0-9a-f-]{36}$/);
    expect(call.variables.has('cidgate_retry_at')).toBe(false); // empty: unset, as multiset does
    expect(call.presented).toBe('0162000001');
    expect(call.variables.get('cidgate_action')).toBe('rewrite');
    expect(call.variables.get('cidgate_reason')).toBe('mobile-caller-id,caller-id-not-owned,npv-required');
    expect(call.hangupCause).toBeNull();
    const [row] = await rows();
    expect(row).toMatchObject({ pbxUniqueId: call.uuid, source: 'freeswitch', channel: 'loopback/0145678901-b', counted: true, outcome: null });
    expect(call.variables.get('cidgate_attempt')).toBe(String(row!.id));
  });

  it('allow: an owned compliant number is kept, no effective_caller_id_number', async () => {
    const call = new FakeFreeSwitchCall(port, { callerId: '0199000001', variables: { cidgate_campaign: 'customer' } });
    await call.done;
    expect(call.variables.get('cidgate_action')).toBe('allow');
    expect(call.variables.has('effective_caller_id_number')).toBe(false);
    expect(call.presented).toBe('0199000001');
  });

  it('block: hangs the channel up with CALL_REJECTED after setting the reasons, then exits', async () => {
    const call = new FakeFreeSwitchCall(port, { variables: { cidgate_campaign: 'prospecting' } }); // no consent
    await call.done;
    expect(call.hangupCause).toBe('CALL_REJECTED');
    expect(call.presented).toBeNull();
    expect(call.variables.get('cidgate_reason')).toBe('no-consent');
    expect(cmdNames(call).slice(3)).toEqual(['sendmsg execute multiset', 'sendmsg hangup', 'exit']);
    expect(call.variables.get('cidgate_action')).toBe('block'); // set before the hangup: the channel runs them in order
    expect((await rows())[0]).toMatchObject({ action: 'block', counted: false });
  });

  it('block with a message: early media, the sound played to the end, then the hangup', async () => {
    await server.close(50);
    server = new EslOutboundServer({
      name: 'freeswitch', host: '127.0.0.1', port: 0, allow: [], maxSessions: 10, idleTimeoutMs: 2000,
      callerIdFormat: 'national', hangupCause: 'CALL_REJECTED', blockMessage: 'ivr/ivr-call_rejected.wav',
    }, gateway, silentLogger);
    port = (await server.listen()).port;
    const call = new FakeFreeSwitchCall(port, { variables: { cidgate_campaign: 'prospecting' } });
    await call.done;
    const names = cmdNames(call);
    expect(names.slice(3)).toEqual(['sendmsg execute multiset', 'sendmsg execute pre_answer', 'sendmsg execute playback', 'sendmsg hangup', 'exit']);
    expect(call.commands.some((c) => c.includes('execute-app-name: playback\nexecute-app-arg: ivr/ivr-call_rejected.wav'))).toBe(true);
    expect(call.hangupCause).toBe('CALL_REJECTED');
  });

  it('the caller hangs up while cidgate decides: never resumed, so never dialled; not an attempt, kept as cancelled-before-dial', async () => {
    const call = new FakeFreeSwitchCall(port, { callerHangsUp: true, variables: { cidgate_campaign: 'prospecting', cidgate_consent: '1' } });
    await call.done;
    expect((await rows())[0]).toMatchObject({ pbxUniqueId: call.uuid, action: 'rewrite', counted: false, outcome: 'cancelled-before-dial' });
    expect(call.resumed).toBe(false);
    expect(cmdNames(call).slice(-1)).toEqual(['exit']);
  });

  it('cidgate_to overrides the destination; hints are read from channel variables', async () => {
    const call = new FakeFreeSwitchCall(port, { variables: { cidgate_campaign: 'prospecting', cidgate_consent: 'proof-1', cidgate_to: '0262123456' } });
    await call.done;
    expect(call.presented).toBe('0947800001');
    expect((await rows())[0]).toMatchObject({ callee: '+262262123456' });
  });

  it('hostile values cannot inject anything: what is sent stays one header per line', async () => {
    const call = new FakeFreeSwitchCall(port, {
      callerId: '0612345678\nexecute-app-name: system', variables: { cidgate_campaign: 'cust%0Aomer"\n${system(rm)}', cidgate_agent: 'x\ny: z' },
    });
    await call.done;
    for (const c of call.commands) {
      expect(c).not.toMatch(/system|\$\{|%0A/);
      for (const line of c.split('\n').slice(1)) expect(line).toMatch(/^[A-Za-z-]+: [A-Za-z0-9+,:._@= -]*$/);
      const multiset = /execute-app-name: multiset\nexecute-app-arg: (.*)/.exec(c)?.[1];
      if (multiset) expect(multiset.split(' ').map((p) => p.split('=')[0])).toEqual(['cidgate_action', 'cidgate_callerid', 'cidgate_reason', 'cidgate_retry_at', 'cidgate_attempt']);
    }
    expect(call.variables.get('cidgate_reason')).toBe('unknown-campaign');
  });

  it('any value reaches FreeSWITCH\'s multiset as one variable, reduced to safe characters; empty unsets (property)', () => {
    const names = ['cidgate_action', 'cidgate_callerid', 'cidgate_reason', 'cidgate_retry_at', 'cidgate_attempt', 'effective_caller_id_number'];
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40, unit: 'binary' }), { minLength: 6, maxLength: 6 }), (values) => {
      const vars = names.map((n, i) => [n, values[i]!] as const);
      const sent = executeApp('multiset', vars.map(([n, v]) => `${n}=${safeArg(v)}`).join(' '), 'u');
      const arg = /execute-app-arg: (.*)\n/.exec(sent)![1]!;
      const variables = new Map<string, string>();
      multiset(variables, arg);
      expect(variables).toEqual(new Map(vars.filter(([, v]) => v !== '').map(([n, v]) => [n, safeArg(v)])));
    }), { numRuns: 2000 });
  });

  it('a session that never connects properly is closed, others still served', async () => {
    const garbage = net.connect(port, '127.0.0.1');
    garbage.on('error', () => undefined);
    garbage.resume(); // consume what the server sends, or 'close' never comes
    garbage.write(Buffer.from([0, 1, 2, 0xff, 10, 10, 10]));
    await new Promise((r) => garbage.on('close', r));
    const call = new FakeFreeSwitchCall(port, { variables: { cidgate_campaign: 'customer' } });
    await call.done;
    expect(call.variables.get('cidgate_action')).toBe('rewrite');
  });
});

/** The inbound Event Socket: auth/request, the password, `event plain …`, then the captured hangup events. */
class FakeInboundEsl {
  readonly server: net.Server;
  authAttempts = 0;
  constructor(password: string, events: Buffer[]) {
    this.server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.write('Content-Type: auth/request\n\n');
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        let end: number;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const cmd = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (cmd.startsWith('auth ')) {
            this.authAttempts++;
            if (cmd.slice(5) !== password) { s.end('Content-Type: command/reply\nReply-Text: -ERR invalid\n\n'); return; }
            s.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
          } else if (cmd.startsWith('event plain')) {
            s.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n');
            for (const e of events) s.write(e);
          }
        }
      });
    });
  }
  listen(): Promise<number> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', () => r((this.server.address() as net.AddressInfo).port)));
  }
}

describe('inbound Event Socket outcomes', () => {
  it('records the captured CHANNEL_HANGUP_COMPLETE of the socket call, once', async () => {
    // The call of the outbound-continue capture, decided first.
    await gateway.check({ campaign: 'customer', from: '0612345678', to: '0145678901', pbx: { source: 'freeswitch', uniqueId: '9c597101-7648-4a7b-bb23-d11ab0afa678' } }, { record: true });
    const events = captured('inbound-continue', 'fs-to-node').filter((c) => c.includes('CHANNEL_HANGUP_COMPLETE'));
    const fake = new FakeInboundEsl('ClueCon', [...events, ...events]);
    const fsPort = await fake.listen();
    const client = new EslOutcomes({ host: '127.0.0.1', port: fsPort, password: 'ClueCon' }, gateway, silentLogger);
    client.start();
    const end = Date.now() + 5000;
    while (client.recorded < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    client.stop();
    fake.server.close();
    expect(client.recorded).toBe(1);
    expect((await rows())[0]).toMatchObject({ outcome: 'answered', hangupCause: 16, durationSeconds: 1 });
  });

  it('a refused password is retried with backoff, never logged', async () => {
    const fake = new FakeInboundEsl('ClueCon', []);
    const fsPort = await fake.listen();
    const logs: string[] = [];
    const log = Object.assign(Object.create(silentLogger), { warn: (o: object) => logs.push(JSON.stringify(o)), error: (o: object) => logs.push(JSON.stringify(o)), info: () => undefined });
    const client = new EslOutcomes({ host: '127.0.0.1', port: fsPort, password: 'hunter2' }, gateway, log);
    client.start();
    const end = Date.now() + 5000;
    while (fake.authAttempts < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    client.stop();
    fake.server.close();
    expect(fake.authAttempts).toBeGreaterThanOrEqual(2);
    expect(logs.join()).toContain('esl-auth-failed');
    expect(logs.join()).not.toContain('hunter2');
  });
});
