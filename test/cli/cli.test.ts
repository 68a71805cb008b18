import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliErrorCode, runCli } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'cidgate.js');
let dir: string;
let db: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cidgate-cli-'));
  db = join(dir, 'cli.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

const MONDAY = '2026-11-30T11:00:00+01:00';

describe('cidgate check', () => {
  it('--json prints the decision contract', async () => {
    const r = await cli('check', '--from', '06 12 34 56 78', '--to', '+33 1 45 67 89 01', '--campaign', 'prospecting', '--at', MONDAY, '--consent', '--json', '--db', db);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      action: 'rewrite', callerId: '+33162000001', reasons: ['mobile-caller-id', 'caller-id-not-owned', 'npv-required'], retryAt: null,
    });
  });

  it('exit 0 for a block, with retryAt', async () => {
    const r = await cli('check', '--to', '0145678901', '--campaign', 'prospecting', '--at', '2026-11-30T21:00:00+01:00', '--consent', '--json', '--db', db);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'block', callerId: null, reasons: ['outside-calling-hours'], retryAt: '2026-12-01T09:00:00.000Z' });
  });

  it('an invalid destination is a block, an invalid caller ID is replaced', async () => {
    const r = await cli('check', '--from', 'garbage', '--to', '01 45 AB', '--campaign', 'customer', '--json', '--db', db);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'block', reasons: ['invalid-number'] });
    const s = await cli('check', '--from', 'garbage', '--to', '0145678901', '--campaign', 'customer', '--json', '--db', db);
    expect(JSON.parse(s.out)).toMatchObject({ action: 'rewrite', reasons: ['caller-id-not-owned'], callerId: '+33199000001' });
  });

  it('--consent-anytime and --zone are honoured', async () => {
    const r = await cli('check', '--to', '0612345678', '--zone', '974', '--campaign', 'prospecting', '--at', '2026-11-30T21:00:00+01:00', '--consent', '--consent-anytime', '--json', '--db', db);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'rewrite', callerId: '+33947800001' });
  });

  it('writes only with --record', async () => {
    await cli('check', '--to', '0145678901', '--campaign', 'customer', '--db', db);
    expect((await cli('attempts', '--db', db)).out).toBe('');
    await cli('check', '--to', '0145678901', '--campaign', 'customer', '--record', '--db', db);
    const rows = (await cli('attempts', '--db', db)).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ callee: '+33145678901', action: 'rewrite', source: 'cli' });
  });

  it('--batch: one decision per line, bad lines reported, never stopping', async () => {
    const file = join(dir, 'leads.jsonl');
    writeFileSync(file, [
      JSON.stringify({ to: '0145678901', campaign: 'prospecting', consent: true, at: MONDAY }),
      'not json',
      JSON.stringify({ to: '0145678901', campaign: 'prospecting', at: 'yesterday' }),
      '',
      JSON.stringify({ to: '0262123456', campaign: 'prospecting', consent: true, at: '2026-11-30T06:00:00Z' }),
    ].join('\n'));
    const r = await cli('check', '--batch', file, '--db', db);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 5]);
    expect(lines[0]).toMatchObject({ action: 'rewrite' });
    expect(lines[1]).toMatchObject({ code: 'BAD_INPUT', error: expect.stringMatching(/JSON/) });
    expect(lines[2]).toMatchObject({ code: 'BAD_INPUT', error: expect.stringMatching(/ISO-8601/) });
    expect(lines[3]).toMatchObject({ action: 'rewrite', callerId: '+33947800001' });
  });

  it('exit 2 with a one-line error for a bad option or config', async () => {
    const bad = await cli('check', '--to', '0145678901', '--at', 'tomorrow', '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect((await cli('check', '--nope')).code).toBe(2);
    expect((await cli('check', '--to', '0145678901', '--config', join(dir, 'missing.yaml'))).code).toBe(2);
    const r = spawnSync(process.execPath, [BIN, 'check', '--to', '0145678901', '--campaign', 'customer', '--json', '--db', db], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).action).toBe('rewrite');
    expect(spawnSync(process.execPath, [BIN, 'check', '--bogus'], { encoding: 'utf8' }).status).toBe(2);
  });
});

describe('records: refusals, consent, do-not-call', () => {
  const check = async () => JSON.parse((await cli('check', '--to', '01.45.67.89.01', '--campaign', 'prospecting', '--at', MONDAY, '--json', '--db', db)).out);

  it('refuse blocks for 60 days', async () => {
    expect((await cli('refuse', '0033145678901', '--at', '2026-11-01T10:00:00Z', '--db', db)).code).toBe(0);
    const d = await cli('check', '--to', '0145678901', '--campaign', 'prospecting', '--at', MONDAY, '--consent', '--json', '--db', db);
    expect(JSON.parse(d.out)).toMatchObject({ reasons: ['refused-recently'], retryAt: '2026-12-31T10:00:00.000Z' });
  });

  it('consent add / revoke / import', async () => {
    expect((await check()).reasons).toEqual(['no-consent']);
    await cli('consent', 'add', '+33 1 45 67 89 01', '--source', 'form-7', '--at', '2026-09-01T00:00:00Z', '--db', db);
    expect((await check()).action).toBe('rewrite');
    await cli('consent', 'revoke', '0145678901', '--at', '2026-10-01T00:00:00Z', '--db', db);
    expect((await check()).reasons).toEqual(['no-consent']);
    const csv = join(dir, 'consents.csv');
    writeFileSync(csv, 'number,at,source,anytime\n0145678901,2026-10-15T00:00:00Z,"import, batch 1",yes\n');
    expect((await cli('consent', 'import', csv, '--db', db)).out).toMatch(/1 consents imported/);
    expect((await check()).action).toBe('rewrite');
  });

  it('a consent given after the call does not cover it (the issue\'s reproduction)', async () => {
    await cli('consent', 'add', '0145000402', '--source', 'web-form', '--at', '2026-11-15T10:00:00+01:00', '--db', db);
    const call = ['check', '--from', '0612345678', '--to', '0145000402', '--campaign', 'prospecting', '--record', '--json', '--db', db];
    expect(JSON.parse((await cli(...call, '--at', '2026-11-10T10:30:00+01:00')).out)).toMatchObject({ action: 'block', reasons: ['no-consent'], attemptId: 1 });
    expect(JSON.parse((await cli(...call, '--at', '2026-11-16T10:30:00+01:00')).out)).toMatchObject({ action: 'rewrite', attemptId: 2 });
  });

  it('a record dated in the future is refused, and nothing is written', async () => {
    for (const args of [['consent', 'add', '0145678901'], ['consent', 'revoke', '0145678901'], ['refuse', '0145678901'], ['dnc', 'add', '0145678901']]) {
      const r = await cli(...args, '--at', '2099-01-01T00:00:00Z', '--db', db);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^cidgate: BAD_OPTION: --at: /);
      expect(r.out).toBe('');
    }
    // A minute ahead is the future too: consent add is dated when the consumer gave it.
    const soon = new Date(Date.now() + 60_000).toISOString();
    expect((await cli('consent', 'add', '0145678901', '--at', soon, '--db', db)).code).toBe(2);
    const csv = join(dir, 'future.csv');
    writeFileSync(csv, '0145678901,2026-09-01T00:00:00Z\n0145678902,2099-01-01T00:00:00Z\n');
    const r = await cli('consent', 'import', csv, '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^cidgate: BAD_INPUT: .*\nline 2: at: /);
    expect((await check()).reasons).toEqual(['no-consent']);
  });

  it('consent import is all-or-nothing with every bad row named', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, '0145678901\nabc\n0145678902,not-a-date\n');
    const r = await cli('consent', 'import', csv, '--db', db);
    expect([r.code, cliErrorCode(r)]).toEqual([2, 'BAD_INPUT']);
    // Every bad row named, with its line: the message is what the user fixes the file by.
    expect(r.err).toMatch(/line 2: "abc" is not a valid number/);
    expect(r.err).toMatch(/line 3: .*not-a-date/);
    await cli('check', '--to', '0145678901', '--campaign', 'prospecting', '--at', MONDAY, '--json', '--db', db);
    expect((await check()).reasons).toEqual(['no-consent']);
  });

  it('dnc add / remove / import', async () => {
    await cli('consent', 'add', '0145678901', '--at', '2026-11-01T10:00:00Z', '--db', db);
    await cli('dnc', 'add', '0145678901', '--at', '2026-11-01T10:00:00Z', '--db', db);
    expect((await check()).reasons).toEqual(['do-not-call']);
    await cli('dnc', 'remove', '+33145678901', '--db', db);
    expect((await check()).action).toBe('rewrite');
    const csv = join(dir, 'dnc.csv');
    writeFileSync(csv, 'numero\n01 45 67 89 01\n0299000000\n');
    expect((await cli('dnc', 'import', csv, '--at', '2026-11-01T10:00:00Z', '--db', db)).out).toMatch(/2 numbers read, 2 added/);
    expect((await check()).reasons).toEqual(['do-not-call']);
    writeFileSync(csv, '');
    expect((await cli('dnc', 'import', csv, '--db', db)).code).toBe(2);
  });

  it('attempts --csv filters by callee and date', async () => {
    await cli('check', '--to', '0145678901', '--campaign', 'customer', '--record', '--at', '2026-11-01T10:00:00Z', '--db', db);
    await cli('check', '--to', '0299000000', '--campaign', 'customer', '--record', '--at', '2026-11-02T10:00:00Z', '--db', db);
    const r = await cli('attempts', '--csv', '--to', '0299000000', '--since', '2026-11-01', '--db', db);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^id,at,campaign,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('+33299000000');
  });

  it('attempts never creates a database: a mistyped --db is an error, not an empty audit trail', async () => {
    const typo = join(dir, 'nowhere', 'cidgate.dbb');
    const r = await cli('attempts', '--db', typo);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(cliErrorCode(r)).toBe('BAD_OPTION');
    expect(r.err).toContain(typo); // the path it did not find
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});

describe('cidgate check --batch validates each line with the HTTP API\'s schema', () => {
  it('a wrong type, a misspelled key or a yes/no consent reference is an error line naming the field; the batch goes on', async () => {
    const file = join(dir, 'typos.jsonl');
    writeFileSync(file, [
      JSON.stringify({ to: '0145678901', campaign: 'customer', consentAnytime: 'yes' }),
      JSON.stringify({ to: '0145678901', campaign: 'customer', consnet: true }),
      JSON.stringify({ to: '0145678901', campaign: 'prospecting', consent: 'yes' }),
      JSON.stringify({ to: 145678901, campaign: 'customer' }),
      JSON.stringify({ to: '0145678901', campaign: 'customer', at: MONDAY }),
    ].join('\n'));
    const r = await cli('check', '--batch', file, '--db', db);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.code, l.field])).toEqual([[1, 'BAD_INPUT', 'consentAnytime'], [2, 'BAD_INPUT', 'consnet'], [3, 'BAD_INPUT', 'consent'], [4, 'BAD_INPUT', 'to'], [5, undefined, undefined]]);
    expect(lines[1].error).toBe('unknown field "consnet"');
    expect(lines[4]).toMatchObject({ action: 'rewrite', callerId: '+33199000001' });
  });

  it('an unknown --campaign stops the batch before its first line, naming the campaigns there are', async () => {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify({ to: '0145678901' })}\n`);
    const r = await cli('check', '--batch', file, '--campaign', 'nope', '--db', db);
    expect([r.code, cliErrorCode(r), r.out]).toEqual([2, 'UNKNOWN_CAMPAIGN', '']);
    expect(r.err).toMatch(/"nope".*campaigns: prospecting, customer; defaultCampaign: none/);
  });

  it('a line naming an unknown campaign, or none with no --campaign or defaultCampaign, is an error line naming the campaigns', async () => {
    const file = join(dir, 'campaigns.jsonl');
    writeFileSync(file, [
      JSON.stringify({ to: '0145678901', campaign: 'nope' }),
      JSON.stringify({ to: '0145678901' }),
      JSON.stringify({ to: '0145678901', campaign: 'customer' }),
    ].join('\n'));
    const decide = async (...args: string[]) => (await cli('check', '--batch', file, '--db', db, ...args)).out.trim().split('\n').map((l) => JSON.parse(l));
    const alone = await decide();
    expect(alone.map((l) => [l.line, l.code, l.field, l.campaign])).toEqual([[1, 'UNKNOWN_CAMPAIGN', 'campaign', undefined], [2, 'UNKNOWN_CAMPAIGN', 'campaign', undefined], [3, undefined, undefined, 'customer']]);
    expect(alone[0].error).toMatch(/"nope".*campaigns: prospecting, customer; defaultCampaign: none/);
    expect(alone[1].error).toMatch(/required.*campaigns: prospecting, customer; defaultCampaign: none/);
    const filled = await decide('--campaign', 'customer');
    expect(filled.map((l) => [l.line, l.field, l.campaign])).toEqual([[1, 'campaign', undefined], [2, undefined, 'customer'], [3, undefined, 'customer']]);
  });
});

describe('cidgate --version', () => {
  it('prints the package version', async () => {
    const { VERSION } = await import('../../src/paths.js');
    const r = await cli('--version');
    expect(r).toMatchObject({ code: 0, out: `${VERSION}\n` });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('cidgate serve', () => {
  it('a port already in use is a one-line error and exit 2, not a stack trace', async () => {
    const net = await import('node:net');
    const { readFileSync } = await import('node:fs');
    const { EXAMPLE_CONFIG } = await import('../../src/paths.js');
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    const config = join(dir, 'busy.yaml');
    writeFileSync(config, readFileSync(EXAMPLE_CONFIG, 'utf8').replace('port: 4573', `port: ${port}`));
    const r = await cli('serve', '--config', config, '--db', db);
    busy.close();
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(new RegExp(`^cidgate: LISTEN_FAILED: fastagi: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });
});

describe('cidgate config check', () => {
  const write = (text: string) => { const f = join(dir, 'c.yaml'); writeFileSync(f, text); return f; };

  it('accepts the embedded example', async () => {
    const r = await cli('config', 'check');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 campaign\(s\) \(prospecting, customer\), 0 error\(s\), 0 warning\(s\)/);
  });

  it('explains each problem with its key and line', async () => {
    const f = write(`campaigns:
  dialer:
    purpose: prospecting
    dialing: automated
    pool:
      - 0612345678
      - 0145678901
      - 0162000001
defaultCampaign: nope
`);
    const r = await cli('config', 'check', f);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/error: .*c\.yaml:6: campaigns\.dialer\.pool\.0: 0612345678 is a mobile number/);
    expect(r.out).toMatch(/error: .*:7: campaigns\.dialer\.pool\.1: 0145678901 is not in an NPV range/);
    expect(r.out).toMatch(/warning: .*campaigns\.dialer\.pool: no number for 2 \(0270\/0271\)/);
    expect(r.out).toMatch(/error: .*:9: defaultCampaign: unknown campaign "nope"/);
  });

  it.each([
    ['unknown key', 'campaign:\n  x: 1\n', /unknown key "campaign"/],
    ['wrong type', 'campaigns:\n  c: { purpose: selling, dialing: manual, pool: ["0199000001"] }\n', /:2: campaigns\.c\.purpose/],
    ['duplicate key', 'country: FR\ncountry: ES\ncampaigns: {}\n', /:2: .*unique/i],
    ['empty file', '', /campaigns/],
    ['YAML bomb', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n', /alias/i],
    ['not a mapping', '- a\n- b\n', /expected object/i],
  ])('%s → a clear error, exit 2', async (_name, text, pattern) => {
    const r = await cli('config', 'check', write(text));
    expect(r.code).toBe(2);
    expect(r.err + r.out).toMatch(pattern);
  });
});

describe('the CLI for people: one-line errors with their code', () => {
  const line = (r: { err: string }) => r.err.trim().split('\n');

  it('an unknown campaign lists the campaigns and mentions defaultCampaign', async () => {
    const r = await cli('check', '--to', '0145670003', '--campaign', 'nope', '--db', db);
    expect(r.code).toBe(2);
    expect(line(r)).toEqual([expect.stringMatching(/^cidgate: UNKNOWN_CAMPAIGN: .*"nope".*campaigns: prospecting, customer.*defaultCampaign/)]);
  });

  it('an unknown option is one line pointing at the command\'s --help', async () => {
    const r = await cli('check', '--bogus', '--db', db);
    expect(r.code).toBe(2);
    expect(line(r)).toEqual(["cidgate: BAD_OPTION: unknown option '--bogus' (see `cidgate check --help`)"]);
  });

  it('a missing --batch file exits 2 with one line', async () => {
    const r = await cli('check', '--batch', join(dir, 'missing.jsonl'), '--db', db);
    expect(r.code).toBe(2);
    expect(line(r)).toEqual([expect.stringMatching(/^cidgate: BAD_INPUT: --batch: cannot read .*missing\.jsonl: no such file$/)]);
  });

  it('an option where a value belongs (--campaign --config x) is named as such', async () => {
    const r = await cli('check', '--campaign', '--config', 'x', '--to', '0145670003');
    expect(r.code).toBe(2);
    expect(line(r)).toEqual([expect.stringMatching(/^cidgate: BAD_OPTION: --campaign: needs a value but is followed by the option --config/)]);
  });

  it('purge --older-than 0 says at least 1', async () => {
    const r = await cli('purge', '--older-than', '0', '--db', db);
    expect(r.code).toBe(2);
    expect(line(r)).toEqual([expect.stringMatching(/^cidgate: BAD_OPTION: --older-than: .*at least 1$/)]);
  });

  it.each(['check', 'refuse', 'consent add', 'consent revoke', 'consent import', 'dnc add', 'dnc remove', 'dnc import', 'attempts', 'report', 'purge', 'config check', 'db migrate', 'db copy', 'serve'])(
    '%s --help has a description, examples and the exit statuses', async (command) => {
      const r = await cli(...command.split(' '), '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: cidgate ${command} .*\\n\\n\\S`));
      expect(r.out).toContain(`Examples:\n  $ cidgate ${command}`);
      expect(r.out).toMatch(/Exit status: 0 .* 2 .* 1 for an unexpected failure/s);
    });

  it('db copy --help gives its own exit status: 3 when the counts differ', async () => {
    expect((await cli('db', 'copy', '--help')).out).toMatch(/\n3 when a table's counts differ after the copy \(COPY_COUNT_MISMATCH\)/);
  });
});

describe('cidgate refuse', () => {
  it('states the refusal period the config sets and refuses an unknown campaign', async () => {
    const ok = await cli('refuse', '0145670003', '--db', db);
    expect(ok.out.trim()).toMatch(/^refusal recorded for \+33145670003 on .*: no prospecting call for 60 days for prospecting$/);
    const r = await cli('refuse', '0145670003', '--campaign', 'nope', '--db', db);
    expect([r.code, cliErrorCode(r)]).toEqual([2, 'UNKNOWN_CAMPAIGN']);
    expect(r.err.trim()).toMatch(/"nope".*\(campaigns: prospecting, customer; defaultCampaign: /);
  });
});
