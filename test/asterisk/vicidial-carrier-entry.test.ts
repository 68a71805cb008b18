import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgiRequest } from '../../src/asterisk/agi-request.js';
import { FastAgiServer } from '../../src/asterisk/fastagi-server.js';
import { fixedClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { buildReport } from '../../src/report/build.js';
import { reportHtml } from '../../src/report/html.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { example, runCli } from '../helpers.js';
import { playAgi, readDialplan, runExtension, type Step } from './dialplan-conf.js';
import { envChunks } from './fake-asterisk.js';

const FILE = 'dialplan/vicidial/carrier-dialplan-entry.conf';
const PATTERN = '_90[1-9]XXXXXXXX';
const CAPTURE = 'vicidial-carrier-entry.jsonl';
const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
const { text, dialplan } = readDialplan(FILE);
// A carrier's Dialplan Entry is pasted without a [context]: VICIdial puts it in [vicidial-auto-external].
const steps = dialplan.get('')!.get(PATTERN)!;

let dir: string;
let store: SqliteStore;
let server: FastAgiServer;
let port: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cidgate-vicidial-'));
  store = new SqliteStore(join(dir, 'agi.db'));
  server = new FastAgiServer({ name: 'fastagi', host: '127.0.0.1', port: 0, allow: [], maxSessions: 10, idleTimeoutMs: 2_000, callerIdFormat: 'national' },
    new Gateway(example, store, { now: () => new Date(MONDAY_11H) }, silentLogger), silentLogger);
  port = (await server.listen()).port;
});
afterEach(async () => {
  await server.close(100);
  await store.close();
});

/** The channel as VICIdial's Originate leaves it on the `;2` leg (the capture), plus the carrier's Globals String. */
function vicidialChannel(): Map<string, string> {
  return new Map([['EXTEN', '90145678901'], ['CALLERID(name)', 'V2071030000000001234'], ['CALLERID(num)', '0977400001'], ['TRUNKFR', 'PJSIP/carrier']]);
}

/** Runs the carrier entry; VICIdial's own call_log AGI (port 4577) is VICIdial's, not played here. */
async function run(entry: readonly Step[] = steps, agiPort = port) {
  const vars = vicidialChannel();
  const sessions: Awaited<ReturnType<typeof playAgi>>[] = [];
  const result = await runExtension(entry, vars, async (args, step) => {
    if (args[0]!.includes(':4577/')) return;
    sessions.push(await playAgi(agiPort, CAPTURE, args, step, vars));
  });
  return { ...result, vars, sessions };
}

async function rows() {
  const all = [];
  for await (const r of store.attempts({})) all.push(r);
  return all;
}

/** Asterisk's extension pattern match (`_` patterns: X, Z, N, [..], and a final `.`). */
function matches(pattern: string, exten: string): boolean {
  const body = pattern.slice(1).replace(/\[([^\]]+)\]|X|Z|N|\.|(.)/g, (m, cls: string | undefined, lit: string | undefined) =>
    cls ? `[${cls}]` : m === 'X' ? '[0-9]' : m === 'Z' ? '[1-9]' : m === 'N' ? '[2-9]' : m === '.' ? '.+' : lit!.replace(/[\\^$*+?()|{}]/g, '\\$&'));
  return new RegExp(`^${body}$`).test(exten);
}

describe('VICIdial carrier Dialplan Entry (dialplan/vicidial/carrier-dialplan-entry.conf)', () => {
  it('is one extension for 9 + a French national number: VICIdial\'s call_log AGI, then cidgate\'s check, then the Dial', () => {
    expect([...dialplan.keys()]).toEqual(['']);
    expect(steps.map((s) => s.priority)).toEqual(steps.map((_, i) => i + 1));
    expect(steps[0]!.line).toBe(`exten => ${PATTERN},1,AGI(agi://127.0.0.1:4577/call_log)`);
    expect(steps.filter((s) => s.app === 'AGI').map((s) => s.data)).toEqual([
      'agi://127.0.0.1:4577/call_log', 'agi://127.0.0.1:4573/check,prospecting,to=${EXTEN:1}',
    ]);
    const blocked = steps.findIndex((s) => s.label === 'cidgate-blocked');
    expect(steps.slice(blocked, blocked + 2).map((s) => `${s.app}(${s.data})`)).toEqual(['Set(DIALSTATUS=CONGESTION)', 'Hangup(21)']);
    expect(steps.some((s) => /CALLERID\(name\)/.test(s.data))).toBe(false);
    // The capture's extension (VICIdial's Local/9…) matches; a mobile too (cidgate decides); nothing shorter or longer.
    const captured = envChunks(CAPTURE).join('').match(/agi_extension: (\d+)/)![1]!;
    expect(captured).toBe('90145678901');
    for (const exten of [captured, '90612345678', '90975123456']) expect(matches(PATTERN, exten)).toBe(true);
    for (const exten of ['9014567890', '901456789012', '0145678901', '90045678901', '80145678901']) expect(matches(PATTERN, exten)).toBe(false);
  });

  it('blocked (no consent on record): name untouched, lead 1234 recorded, DIALSTATUS=CONGESTION and cause 21, never dialled', async () => {
    const r = await run();
    expect(r.sessions).toHaveLength(1);
    const [session] = r.sessions;
    expect(session!.commands.some((c) => /CALLERID\(name\)/i.test(c))).toBe(false);
    expect(r.vars.get('CIDGATE_ACTION')).toBe('block');
    expect(r.vars.get('CIDGATE_REASON')).toBe('no-consent');
    expect(r.vars.get('CALLERID(name)')).toBe('V2071030000000001234');
    expect(r.vars.get('DIALSTATUS')).toBe('CONGESTION');
    expect(r.ending).toEqual({ kind: 'hangup', cause: 21 });
    expect(r.dials).toEqual([]);
    const [row] = await rows();
    expect(row).toMatchObject({ lead: '1234', pbxUniqueId: '1796613652.1', callee: '+33145678901', campaign: 'prospecting', action: 'block', counted: false });
    // FastAGI_log.pl (call_log--HVcauses--, Local channel, V caller id): with enhanced_disconnect_logging > 0,
    // `$dialstatus =~ /CONGESTION/ && $hangup_cause =~ /^19$|^21$|^34$|^38$/` → status ADCT.
    expect(/^19$|^21$|^34$|^38$/.test(String((r.ending as { cause: number }).cause))).toBe(true);
  });

  it('allowed with consent on record: CALLERID(num) rewritten for the trunk, the V… name dialled byte for byte, the lead in `cidgate attempts`', async () => {
    await store.addConsents([{ number: '+33145678901', at: new Date('2026-11-01T09:00:00Z'), source: 'web-form-17', anytime: false }]);
    const r = await run();
    expect(r.vars.get('CIDGATE_ACTION')).toBe('rewrite');
    expect(r.dials).toEqual([{ dialString: 'PJSIP/carrier/0145678901', callerIdNum: '0162000001', callerIdName: 'V2071030000000001234' }]);
    expect(r.ending).toEqual({ kind: 'hangup', cause: null }); // the Hangup() after Dial, as VICIdial's entries end
    expect(r.vars.has('DIALSTATUS')).toBe(false);
    const [row] = await rows();
    expect(row).toMatchObject({ lead: '1234', counted: true, originalCallerId: '+33977400001', presentedCallerId: '+33162000001' });
    await server.close(100);
    await store.close();
    const listed = await runCli(['attempts', '--db', join(dir, 'agi.db'), '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out.trim().split('\n')[0]!)).toMatchObject({ lead: '1234', unique_id: '1796613652.1' });
    store = new SqliteStore(join(dir, 'agi.db')); // for afterEach
  });

  it('parseAgiRequest: the lead from agi_calleridname; lead= wins, an empty one does not; any other name gives none', () => {
    const lead = (name: string, ...args: string[]) => {
      const r = parseAgiRequest(new Map([['agi_network_script', 'check'], ['agi_calleridname', name], ['agi_arg_1', 'prospecting'],
        ...args.map((a, i): [string, string] => [`agi_arg_${i + 2}`, a])]));
      return r.script === 'check' ? r.call.pbx?.lead : 'not a check';
    };
    expect(lead('V2071030000000001234')).toBe('1234');
    expect(lead('V1207103000000001234')).toBe('1234');
    expect(lead('V2071030000000001234', 'lead=CRM-77')).toBe('CRM-77');
    expect(lead('V2071030000000001234', 'lead=')).toBe('1234');
    for (const name of ['Alice', 'unknown', 'M2071030000000001234', 'V2071030000000000000']) expect(lead(name)).toBeNull();
  });

  it('an explicit lead= wins over the name', async () => {
    const withLead = steps.map((s) => s.data.includes(':4573/check') ? { ...s, data: `${s.data},lead=CRM-77` } : s);
    await run(withLead);
    expect((await rows())[0]).toMatchObject({ lead: 'CRM-77' });
  });

  it('the lead in the report: an attempt on the dialer\'s word for consent lists its lead, in an unmasked report only', async () => {
    await run(steps.map((s) => s.data.includes(':4573/check') ? { ...s, data: `${s.data},consent=1` } : s));
    const report = (unmasked: boolean) => buildReport(store.reportQueries(), example, fixedClock(new Date('2026-12-01T00:00:00Z')),
      { scope: { from: new Date('2026-11-01T00:00:00+01:00'), to: new Date('2026-12-01T00:00:00+01:00'), campaign: null }, unmasked });
    const asserted = async (unmasked: boolean) => (await report(unmasked)).proofs.find((p) => p.id === 'consent')!.assertedAttempts;
    expect((await asserted(true)).map((a) => a.lead)).toEqual(['1234']);
    expect((await asserted(false)).map((a) => a.lead)).toEqual([null]);
    expect(reportHtml(await report(true))).toContain('<td>1234</td>');
  });

  it('cidgate unreachable (connection refused → AGISTATUS=FAILURE): DIALSTATUS=CONGESTION and cause 38, never dialled', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await run(steps, dead);
    expect(r.vars.get('AGISTATUS')).toBe('FAILURE');
    expect(r.vars.get('DIALSTATUS')).toBe('CONGESTION');
    expect(r.ending).toEqual({ kind: 'hangup', cause: 38 });
    expect(r.dials).toEqual([]);
  });

  it('docs/vicidial.md quotes every line of the file as it is', () => {
    const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'vicidial.md'), 'utf8');
    for (const step of steps) expect(page).toContain(step.line);
    expect(text.split('\n').filter((l) => l.startsWith('exten =>'))).toHaveLength(steps.length);
  });
});
