import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FastAgiServer } from '../../src/asterisk/fastagi-server.js';
import { silentLogger } from '../../src/log.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { example } from '../helpers.js';
import { FakeAsteriskCall, envChunks, withEnv } from './fake-asterisk.js';

const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
let store: SqliteStore;
let server: FastAgiServer;
let port: number;

async function start(opts: { store?: Store; allow?: string[]; maxSessions?: number; idleTimeoutMs?: number } = {}) {
  const gateway = new Gateway(example, opts.store ?? store, { now: () => new Date(MONDAY_11H) }, silentLogger);
  server = new FastAgiServer({
    name: 'fastagi', host: '127.0.0.1', port: 0, allow: opts.allow ?? [], maxSessions: opts.maxSessions ?? 100,
    idleTimeoutMs: opts.idleTimeoutMs ?? 2_000, callerIdFormat: 'national',
  }, gateway, silentLogger);
  port = (await server.listen()).port;
}

beforeEach(() => {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cidgate-agi-')), 'agi.db'));
});
afterEach(async () => {
  await server?.close(100);
  await store.close();
});

async function rows() {
  const all = [];
  for await (const r of store.attempts({})) all.push(r);
  return all;
}

/** The captured environment, turned into a call to our contract: AGI(agi://…/check,prospecting,consent=1). */
function contractEnv(extra: Record<string, string | null> = {}) {
  return withEnv(envChunks('fastagi-commands.jsonl'), {
    agi_network_script: 'check', agi_request: 'agi://127.0.0.1:4573/check', agi_arg_1: 'prospecting', agi_arg_2: 'consent=1', ...extra,
  });
}

describe('FastAGI server against a fake Asterisk 22', () => {
  it('rewrites a mobile caller ID: sets CALLERID(num) and the CIDGATE_* variables in ONE command, then closes', async () => {
    await start();
    const call = new FakeAsteriskCall(port, { env: contractEnv() });
    await call.done;
    expect(call.commands).toEqual([
      'GET VARIABLE LEN(cidgate)', // first session from this Asterisk: is func_strings (ARRAY) loaded?
      expect.stringMatching(/^SET VARIABLE ARRAY\(CALLERID\(num\),CIDGATE_ACTION,CIDGATE_CALLERID,CIDGATE_REASON,CIDGATE_RETRY_AT,CIDGATE_ATTEMPT\) "0162000001,rewrite,0162000001,mobile-caller-id\\\\,caller-id-not-owned\\\\,npv-required,,\d+"$/),
    ]);
    expect(call.pipelined).toBe(false);
    expect(Object.fromEntries(call.variables)).toMatchObject({
      'CALLERID(num)': '0162000001', CIDGATE_ACTION: 'rewrite', CIDGATE_CALLERID: '0162000001',
      CIDGATE_REASON: 'mobile-caller-id,caller-id-not-owned,npv-required', CIDGATE_RETRY_AT: '',
    });
    expect(call.hangupsSent).toBe(1); // Asterisk's HANGUP when the server closed
    const [row] = await rows();
    expect(row).toMatchObject({ pbxUniqueId: '1795821623.21', channel: 'Local/0145678901@outbound-0000000a;2', source: 'asterisk', counted: true, presentedCallerId: '+33162000001' });
    expect(call.variables.get('CIDGATE_ATTEMPT')).toBe(String(row!.id));

    // The next session from the same Asterisk: one command, nothing else.
    const next = new FakeAsteriskCall(port, { env: contractEnv({ agi_uniqueid: '1795821623.99' }) });
    await next.done;
    expect(next.commands).toHaveLength(1);
    expect(next.variables.get('CIDGATE_ACTION')).toBe('rewrite');
  });

  it('the fake, like Asterisk, leaves a second command of the same write unread', async () => {
    const answers: string[] = [];
    const raw = net.createServer((s) => {
      let env = '';
      s.on('data', (d) => {
        env += d.toString();
        if (env.endsWith('\n\n') && answers.length === 0) { answers.push(''); s.write('SET VARIABLE A "1"\nSET VARIABLE B "2"\n'); setTimeout(() => s.end(), 100); }
        else if (answers.length > 0) answers.push(d.toString());
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const call = new FakeAsteriskCall((raw.address() as net.AddressInfo).port, { env: contractEnv() });
    await call.done;
    await new Promise((r) => setTimeout(r, 50)); // the last bytes reach the server after the fake's close
    raw.close();
    expect(call.pipelined).toBe(true);
    expect(call.variables.has('B')).toBe(false);
    expect(answers.join('')).toBe('200 result=1\nHANGUP\n');
  });

  it('an Asterisk without func_strings gets the same variables in one EXEC MSet', async () => {
    await start();
    const call = new FakeAsteriskCall(port, { env: contractEnv(), funcStrings: false });
    await call.done;
    expect(call.commands[0]).toBe('GET VARIABLE LEN(cidgate)');
    expect(call.commands[1]).toMatch(/^EXEC MSet "CALLERID\(num\)=0162000001,CIDGATE_ACTION=rewrite,/);
    expect(call.commands).toHaveLength(2);
    expect(call.channel.warnings).not.toContainEqual(expect.stringMatching(/MSet/));
    expect(Object.fromEntries(call.variables)).toMatchObject({
      'CALLERID(num)': '0162000001', CIDGATE_ACTION: 'rewrite', CIDGATE_REASON: 'mobile-caller-id,caller-id-not-owned,npv-required',
    });
    const again = new FakeAsteriskCall(port, { env: contractEnv({ agi_uniqueid: '1795821623.98' }), funcStrings: false });
    await again.done;
    expect(again.commands).toEqual([expect.stringMatching(/^EXEC MSet /)]);
  });

  it('replays the captured environment as is: campaign "campaign:42" survives whole, and is unknown → block', async () => {
    await start();
    const call = new FakeAsteriskCall(port, { env: envChunks('fastagi-commands.jsonl') });
    await call.done;
    expect(call.variables.get('CIDGATE_ACTION')).toBe('block');
    expect(call.variables.get('CIDGATE_REASON')).toBe('unknown-campaign');
    expect(call.variables.has('CALLERID(num)')).toBe(false);
    expect((await rows())[0]).toMatchObject({ campaign: 'campaign:42', counted: false, action: 'block' });
  });

  it('a blocked call gets its reasons and retry time, and never a hangup from us', async () => {
    await start();
    const call = new FakeAsteriskCall(port, { env: contractEnv({ agi_arg_2: null }) });
    await call.done;
    expect(call.variables.get('CIDGATE_ACTION')).toBe('block');
    expect(call.variables.get('CIDGATE_REASON')).toBe('no-consent');
    expect(call.commands.some((c) => /HANGUP|EXEC Hangup/i.test(c))).toBe(false);
  });

  it('a PBX retrying the same unique id does not count twice', async () => {
    await start();
    await new FakeAsteriskCall(port, { env: contractEnv() }).done;
    const again = new FakeAsteriskCall(port, { env: contractEnv() });
    await again.done;
    expect(again.variables.get('CIDGATE_ACTION')).toBe('rewrite');
    expect((await rows()).length).toBe(1);
  });

  it('the caller hangs up mid-check (captured HANGUP): answers still come; never dialled, so not an attempt, kept as cancelled-before-dial', async () => {
    // The store takes a while to decide, long enough for the HANGUP to arrive first, as in the capture.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slow: Store = Object.assign(Object.create(store), {
      checkAndRecord: async (...args: Parameters<Store['checkAndRecord']>) => { await gate; return store.checkAndRecord(...args); },
    });
    await start({ store: slow });
    const env = withEnv(envChunks('fastagi-caller-hangs-up.jsonl'), { agi_network_script: 'check', agi_arg_1: 'prospecting', agi_arg_2: 'consent=1' });
    const call = new FakeAsteriskCall(port, { env, hangupAfterMs: 30 });
    setTimeout(release, 120);
    await call.done;
    expect(call.hangupsSent).toBe(2); // the caller's, then the one on close
    expect(call.variables.get('CIDGATE_ACTION')).toBe('rewrite');
    const [row] = await rows();
    expect(row).toMatchObject({ pbxUniqueId: '1795821632.25', counted: false, outcome: 'cancelled-before-dial', action: 'rewrite' });
  });

  it('records the outcome a hangup handler reports, once', async () => {
    await start();
    await new FakeAsteriskCall(port, { env: contractEnv() }).done;
    const outcomeEnv = (status: string) => withEnv(envChunks('fastagi-commands.jsonl'), {
      agi_network_script: 'outcome', agi_arg_1: `dialstatus=${status}`, agi_arg_2: 'answeredtime=42', agi_arg_3: 'hangupcause=16',
    });
    const o = new FakeAsteriskCall(port, { env: outcomeEnv('ANSWER') });
    await o.done;
    expect(o.commands).toEqual([]);
    await new FakeAsteriskCall(port, { env: outcomeEnv('BUSY') }).done;
    expect((await rows())[0]).toMatchObject({ outcome: 'answered', durationSeconds: 42, hangupCause: 16 });
  });

  it('garbage, an over-long line and a silent peer close that session only', async () => {
    await start({ idleTimeoutMs: 200 });
    const closed = (payload: Buffer | null) => new Promise<number>((resolve) => {
      const t0 = Date.now();
      const s = net.connect(port, '127.0.0.1', () => { if (payload) s.write(payload); });
      s.on('data', () => undefined);
      s.on('close', () => resolve(Date.now() - t0));
      s.on('error', () => undefined);
    });
    await closed(Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x41, 0x0a]));
    await closed(Buffer.alloc(1024 * 1024, 0x41));
    await closed(Buffer.from('agi_network: yes\nagi_callerid: 0612345678\n')); // environment never ends
    expect(await closed(null)).toBeGreaterThanOrEqual(150);
    const ok = new FakeAsteriskCall(port, { env: contractEnv() });
    await ok.done;
    expect(ok.variables.get('CIDGATE_ACTION')).toBe('rewrite');
  });

  it('refuses peers outside the allow-list and sessions over the maximum', async () => {
    await start({ allow: ['192.0.2.1'] });
    const refused = new FakeAsteriskCall(port, { env: contractEnv() });
    await refused.done;
    expect(refused.commands).toEqual([]);
    await server.close(50);

    await start({ maxSessions: 1, idleTimeoutMs: 500 });
    const hog = net.connect(port, '127.0.0.1');
    await new Promise((r) => hog.once('connect', r));
    await new Promise((r) => setTimeout(r, 20));
    const second = new FakeAsteriskCall(port, { env: contractEnv() });
    await second.done;
    expect(second.commands).toEqual([]);
    hog.destroy();
  });
});
