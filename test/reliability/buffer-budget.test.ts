import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FastAgiServer } from '../../src/asterisk/fastagi-server.js';
import { EslOutboundServer } from '../../src/freeswitch/outbound-server.js';
import { createLogger } from '../../src/log.js';
import { BufferBudget } from '../../src/service/buffer-budget.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeAsteriskCall, envChunks, withEnv } from '../asterisk/fake-asterisk.js';
import { example } from '../helpers.js';

const LIMIT = 512 * 1024;
let dir: string;
let store: SqliteStore;
let budget: BufferBudget;
let agi: FastAgiServer;
let esl: EslOutboundServer;
let lines: { event?: string; code?: string }[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cidgate-budget-'));
  store = new SqliteStore(join(dir, 'b.db'));
  budget = new BufferBudget(LIMIT);
  lines = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  const log = createLogger('info', sink);
  const gateway = new Gateway(example, store, { now: () => new Date('2026-11-30T10:00:00Z') }, log);
  const common = { host: '127.0.0.1', port: 0, allow: [], maxSessions: 100, idleTimeoutMs: 5_000, callerIdFormat: 'national' as const, bufferBudget: budget };
  agi = new FastAgiServer({ name: 'fastagi', ...common }, gateway, log);
  esl = new EslOutboundServer({ name: 'freeswitch', ...common, hangupCause: 'CALL_REJECTED', blockMessage: null }, gateway, log);
});
afterEach(async () => {
  await agi.close(100);
  await esl.close(100);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A peer that sends `payload` and never ends its message; resolves `closed` when the server closes it. */
function abusive(port: number, payload: string) {
  const s = net.connect(port, '127.0.0.1', () => s.write(payload));
  s.on('data', () => undefined);
  s.on('error', () => undefined);
  let closedByServer = false;
  const closed = new Promise<void>((r) => s.once('close', () => { closedByServer = true; r(); }));
  return { socket: s, closed, get closedByServer() { return closedByServer; } };
}

describe('one budget for the bytes all PBX sessions buffer', () => {
  it('over it, the session buffering most is closed with BUFFER_BUDGET_EXCEEDED; the others and new calls go on', async () => {
    const agiPort = (await agi.listen()).port;
    const eslPort = (await esl.listen()).port;
    // Each under its own listener's cap (64 KiB), together three times the budget.
    const agiEnv = `agi_network: yes\n${Array.from({ length: 7 }, (_, i) => `agi_pad_${i}: ${'A'.repeat(8000)}\n`).join('')}`;
    const eslHeaders = Array.from({ length: 6 }, (_, i) => `Variable_pad_${i}: ${'B'.repeat(10_000)}\n`).join('');
    const peers = [];
    for (let i = 0; i < 12; i++) peers.push(abusive(agiPort, agiEnv));
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 12; i++) peers.push(abusive(eslPort, eslHeaders));
    await new Promise((r) => setTimeout(r, 300));

    expect(budget.bytes).toBeLessThanOrEqual(LIMIT);
    const closed = peers.filter((p) => p.closedByServer).length;
    expect(closed).toBeGreaterThanOrEqual(24 - Math.floor(LIMIT / (7 * 8000)));
    expect(closed).toBeLessThan(24);
    const evicted = lines.filter((l) => l.code === 'BUFFER_BUDGET_EXCEEDED').map((l) => l.event);
    expect(new Set(evicted)).toEqual(new Set(['agi-session-error', 'esl-session-error']));
    expect(evicted).toHaveLength(closed);

    // An honest call meanwhile is answered.
    const call = new FakeAsteriskCall(agiPort, { env: withEnv(envChunks('fastagi-commands.jsonl'), { agi_network_script: 'check', agi_arg_1: 'customer' }) });
    await call.done;
    expect(call.variables.get('CIDGATE_ACTION')).toBe('rewrite');

    for (const p of peers) p.socket.destroy();
    await Promise.all(peers.map((p) => p.closed));
    await new Promise((r) => setTimeout(r, 50));
    expect(budget.bytes).toBe(0);
  });
});
