import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgiRequest } from '../../src/asterisk/agi-request.js';
import { FastAgiServer } from '../../src/asterisk/fastagi-server.js';
import { silentLogger } from '../../src/log.js';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../../src/paths.js';
import { Gateway } from '../../src/service/gateway.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { configFrom } from '../helpers.js';
import { playAgi, readDialplan, runExtension, type Step } from './dialplan-conf.js';
import { envChunks } from './fake-asterisk.js';

const HOOK = 'macro-dialout-trunk-predial-hook';
const CAPTURE = 'freepbx-predial-hook.jsonl';
const MONDAY_11H = new Date('2026-11-30T10:00:00Z');
const FILES = { 'FreePBX 17 (Gosub, Return)': 'dialplan/freepbx/extensions_custom.conf', 'FreePBX 16 and Issabel (Macro, MacroExit)': 'dialplan/freepbx/extensions_custom-macro.conf' };
const hookOf = (file: string) => readDialplan(file).dialplan.get(HOOK)!.get('s')!;

/** The example config with FreePBX trunk 1 → customer, trunk 2 → prospecting. */
function withTrunks(map: string) {
  return configFrom(readFileSync(EXAMPLE_CONFIG, 'utf8').replace(/^asterisk:\n/m, `asterisk:\n  trunkCampaigns:\n${map}`));
}
const config = withTrunks('    "1": customer\n    "2": prospecting\n');

let store: SqliteStore;
let server: FastAgiServer;

async function start(): Promise<number> {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cidgate-freepbx-')), 'agi.db'));
  server = new FastAgiServer({ name: 'fastagi', host: '127.0.0.1', port: 0, allow: [], maxSessions: 10, idleTimeoutMs: 2_000, callerIdFormat: 'national' },
    new Gateway(config, store, { now: () => new Date(MONDAY_11H) }, silentLogger), silentLogger);
  return (await server.listen()).port;
}
afterEach(async () => {
  await server?.close(100);
  await store?.close();
});

/**
 * The channel as macro-dialout-trunk leaves it when it runs the hook (the capture: DIAL_TRUNK=${ARG1},
 * DIAL_NUMBER=${ARG2}, OUTNUM=${OUTPREFIX_1}${DIAL_NUMBER}; the hook itself runs on extension s).
 */
function freepbxChannel(trunk: string, extra: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({
    EXTEN: 's', DIAL_TRUNK: trunk, DIAL_NUMBER: '0145678901', OUTNUM: '0145678901', OUTBOUND_GROUP: `OUT_${trunk}`,
    'CALLERID(name)': 'Alice', 'CALLERID(num)': '0612345678', ...extra,
  }));
}

async function run(hook: readonly Step[], vars: Map<string, string>, port: number) {
  const sessions: Awaited<ReturnType<typeof playAgi>>[] = [];
  const result = await runExtension(hook, vars, async (args, step) => { sessions.push(await playAgi(port, CAPTURE, args, step, vars)); });
  return { ...result, sessions };
}

async function rows() {
  const all = [];
  for await (const r of store.attempts({})) all.push(r);
  return all;
}

describe('the FreePBX predial hook files', () => {
  it('are one [macro-dialout-trunk-predial-hook] extension s, the same lines but for Return() / MacroExit()', () => {
    const [gosub, macro] = Object.values(FILES).map((f) => readDialplan(f).dialplan);
    for (const plan of [gosub!, macro!]) {
      expect([...plan.keys()]).toEqual([HOOK]);
      expect([...plan.get(HOOK)!.keys()]).toEqual(['s']);
      const hook = plan.get(HOOK)!.get('s')!;
      expect(hook.map((s) => s.priority)).toEqual(hook.map((_, i) => i + 1));
      expect(hook.filter((s) => s.app === 'AGI').map((s) => s.data)).toEqual(['agi://127.0.0.1:4573/check,to=${OUTNUM},trunk=${DIAL_TRUNK}']);
      const blocked = hook.findIndex((s) => s.label === 'blocked');
      expect(hook.slice(blocked + 1, blocked + 3).map((s) => `${s.app}(${s.data})`)).toEqual(['Set(PREDIAL_HOOK_RET=BYPASS)', 'Hangup(21)']);
      expect(hook.some((s) => /CALLERID\(name\)/.test(s.data))).toBe(false);
    }
    const apps = (plan: typeof gosub) => plan!.get(HOOK)!.get('s')!.map((s) => `${s.priority}|${s.label}|${s.app}|${s.data}`);
    expect(apps(gosub).filter((a) => a.includes('|MacroExit|'))).toEqual([]);
    expect(apps(macro).filter((a) => a.includes('|Return|'))).toEqual([]);
    expect(apps(macro)).toEqual(apps(gosub).map((a) => a.replace('|Return|', '|MacroExit|')));
  });

  it('the capture shows why to= is needed: in the hook agi_extension is s, the number only in OUTNUM', () => {
    const env = envChunks(CAPTURE).join('');
    expect(env).toContain('agi_extension: s\n');
    expect(env).toContain('agi_context: macro-dialout-trunk-predial-hook\n');
  });

  it('parseAgiRequest: a first argument that is a key names no campaign; a named campaign wins over the trunk map', () => {
    const map = { trunkCampaigns: { 1: 'customer' } };
    const check = (...args: string[]) => {
      const r = parseAgiRequest(new Map([['agi_network_script', 'check'], ['agi_extension', 's'], ...args.map((a, i): [string, string] => [`agi_arg_${i + 1}`, a])]), map);
      if (r.script !== 'check') throw new Error('not a check');
      return r;
    };
    expect(check('to=0145678901', 'trunk=1')).toMatchObject({ ignored: [], call: { campaign: 'customer', to: '0145678901' } });
    expect(check('prospecting', 'to=0145678901', 'trunk=1').call.campaign).toBe('prospecting');
    expect(check('', 'to=0145678901', 'trunk= 1 ').call.campaign).toBe('customer'); // an empty ${ROUTENAME}
    expect(check('to=0145678901', 'trunk=2').call.campaign).toBe('');
    expect(check('to=0145678901', 'trunk=toString').call.campaign).toBe('');
    expect(check('to=0145678901').call).toMatchObject({ campaign: '', to: '0145678901' });
    expect(check('campaign:42', 'trunk=1').call.campaign).toBe('campaign:42');
    expect(check('x=1', 'trunk=1').call.campaign).toBe('x=1'); // not a key: a campaign name, as before (unknown → block)
  });

  it('a trunk map naming an unknown campaign is a config error', () => {
    expect(() => withTrunks('    "3": nope\n')).toThrow(/unknown campaign "nope"/);
  });

  it('docs/freepbx.md quotes every line of both files as they are', () => {
    const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'freepbx.md'), 'utf8');
    for (const file of Object.values(FILES)) {
      expect(page).toContain(`[${HOOK}]`);
      for (const step of hookOf(file)) expect(page).toContain(step.line);
    }
  });
});

describe.each(Object.entries(FILES))('%s run against the fake Asterisk with FreePBX\'s channel variables', (_, file) => {
  const hook = hookOf(file);
  const exit = file.endsWith('-macro.conf') ? 'MacroExit' : 'Return';

  it('trunk 1 → customer: OUTNUM is the callee, CALLERID(num) rewritten for the trunk, the name untouched, back to the trunk dial', async () => {
    const port = await start();
    const vars = freepbxChannel('1');
    const r = await run(hook, vars, port);
    expect(r.sessions[0]!.commands.some((c) => /CALLERID\(name\)/i.test(c))).toBe(false);
    expect(vars.get('CIDGATE_ACTION')).toBe('rewrite');
    expect(vars.get('CALLERID(num)')).toBe('0199000001');
    expect(vars.get('CALLERID(name)')).toBe('Alice');
    expect(vars.has('PREDIAL_HOOK_RET')).toBe(false);
    expect(r.ending).toEqual({ kind: 'return', app: exit });
    const [row] = await rows();
    expect(row).toMatchObject({ campaign: 'customer', callee: '+33145678901', pbxUniqueId: '1796613658.5', lead: null, presentedCallerId: '+33199000001' });
  });

  it('trunk 2 → prospecting, no consent on record: PREDIAL_HOOK_RET=BYPASS and cause 21, no other trunk tried', async () => {
    const port = await start();
    const vars = freepbxChannel('2');
    const r = await run(hook, vars, port);
    expect(vars.get('CIDGATE_REASON')).toBe('no-consent');
    expect(vars.get('PREDIAL_HOOK_RET')).toBe('BYPASS');
    expect(r.ending).toEqual({ kind: 'hangup', cause: 21 });
    expect((await rows())[0]).toMatchObject({ campaign: 'prospecting', action: 'block' });
  });

  it('a trunk the map does not name, and no defaultCampaign: unknown-campaign, blocked the same way', async () => {
    const port = await start();
    const vars = freepbxChannel('7');
    const r = await run(hook, vars, port);
    expect(vars.get('CIDGATE_REASON')).toBe('unknown-campaign');
    expect(r.ending).toEqual({ kind: 'hangup', cause: 21 });
  });

  it('cidgate unreachable: cause 38; with CIDGATE_FAIL_OPEN=yes the trunk dials with FreePBX\'s caller ID', async () => {
    await start();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const shut = freepbxChannel('1');
    expect((await run(hook, shut, dead)).ending).toEqual({ kind: 'hangup', cause: 38 });
    expect(shut.get('PREDIAL_HOOK_RET')).toBe('BYPASS');
    const open = freepbxChannel('1', { CIDGATE_FAIL_OPEN: 'yes' });
    expect((await run(hook, open, dead)).ending).toEqual({ kind: 'return', app: exit });
    expect(open.get('CALLERID(num)')).toBe('0612345678');
  });
});
