import { Command, CommanderError, Option } from 'commander';
import { CidgateError } from '../errors.js';
import { VERSION } from '../paths.js';
import { attemptsCommand } from './attempts.js';
import { checkCommand } from './check.js';
import { configCheckCommand } from './config-check.js';
import { dbCopyCommand, dbMigrateCommand } from './db.js';
import { INSTANT_HELP } from './context.js';
import { watchOutput } from './output.js';
import { privacyEraseCommand, privacyExportCommand } from './privacy.js';
import { purgeCommand } from './purge.js';
import { reportCommand } from './report.js';
import {
  consentAddCommand, consentImportCommand, consentRevokeCommand, dncAddCommand, dncImportCommand, dncRemoveCommand,
  refuseCommand,
} from './records.js';

type Action = () => Promise<number>;

/** Runs the CLI; resolves to the exit code (0 ok, 2 bad option, config or input, 1 unexpected; others in the catalogue). */
export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let pending: Action | null = null;
  const run = (a: Action) => { pending = a; };
  const program = buildProgram(run, out, err);
  watchOutput(out, err);
  try {
    rejectMisplacedOptions(program, argv.slice(2));
    await program.parseAsync(argv);
    return pending ? await (pending as Action)() : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CidgateError) {
      err.write(`cidgate: ${e.code}: ${e.message}\n`);
      return e.exitStatus;
    }
    err.write(`cidgate: INTERNAL_ERROR: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** `--campaign --config x`: an option that needs a value followed by another option is a slip, not a campaign named "--config". */
function rejectMisplacedOptions(program: Command, args: string[]): void {
  let cmd = program;
  for (const [i, arg] of args.entries()) {
    const sub = cmd.commands.find((c) => c.name() === arg);
    if (sub) { cmd = sub; continue; }
    const option = cmd.options.find((o) => o.long === arg && o.required);
    const next = args[i + 1];
    if (option && next !== undefined && next.startsWith('--')) {
      throw new CidgateError('BAD_OPTION', [arg, `needs a value but is followed by the option ${next} (see \`${commandPath(cmd)} --help\`)`], { option: arg });
    }
  }
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const EXIT_STATUS_HELP = `
Exit status: 0 for any decision (allow, rewrite or block) and any other success; 2 for a bad option,
config or input, printed on one line as "cidgate: CODE: message"; 1 for an unexpected failure.
The codes and what to do about each: docs/errors.md.`;

/** Where a command has an exit status of its own. */
const EXIT_STATUS_MORE: Record<string, string> = {
  'cidgate db copy': '\n3 when a table\'s counts differ after the copy (COPY_COUNT_MISMATCH).',
};

/** Every command: examples, the exit statuses, and an option error on one line with a pointer to its help. */
function finish(cmd: Command, examples: Record<string, string[]>): void {
  const path = commandPath(cmd);
  const lines = examples[path];
  if (lines) cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n${EXIT_STATUS_HELP}${EXIT_STATUS_MORE[path] ?? ''}`);
  cmd.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => write(`cidgate: BAD_OPTION: ${text.replace(/^error: /, '').trim()} (see \`${path} --help\`)\n`),
  });
  for (const sub of cmd.commands) finish(sub, examples);
}

const EXAMPLES: Record<string, string[]> = {
  'cidgate': ['cidgate check --from 0612345678 --to 0145670003 --campaign prospecting', 'cidgate serve --config /etc/cidgate/cidgate.yaml', 'cidgate COMMAND --help'],
  'cidgate check': [
    'cidgate check --from 0612345678 --to 0145670003 --campaign prospecting',
    'cidgate check --to 0145670003 --at 2026-11-30T09:30 --json',
    'cidgate check --batch leads.jsonl --campaign prospecting > decisions.jsonl',
  ],
  'cidgate refuse': ['cidgate refuse 0145670003 --campaign prospecting'],
  'cidgate consent': ['cidgate consent add 0145670003 --source "web form 2026-11-02"', 'cidgate consent import consents.csv'],
  'cidgate consent add': ['cidgate consent add 0145670003 --source "web form 2026-11-02" --anytime'],
  'cidgate consent revoke': ['cidgate consent revoke 0145670003'],
  'cidgate consent import': ['cidgate consent import consents.csv'],
  'cidgate dnc': ['cidgate dnc add 0145670003 0145670004', 'cidgate dnc import bloctel.csv --source bloctel'],
  'cidgate dnc add': ['cidgate dnc add 0145670003 0145670004 --source "asked on the phone"'],
  'cidgate dnc remove': ['cidgate dnc remove 0145670003'],
  'cidgate dnc import': ['cidgate dnc import bloctel.csv --source bloctel'],
  'cidgate attempts': ['cidgate attempts --to 0145670003', 'cidgate attempts --since 2026-11-01 --csv > attempts.csv'],
  'cidgate report': ['cidgate report --from 2026-11-01 --to 2026-11-30 --out november.html', 'cidgate report --from 2026-11-01 --to 2026-11-30 --format pdf --out november.pdf'],
  'cidgate purge': ['cidgate purge --older-than 400'],
  'cidgate privacy': ['cidgate privacy export 0145670003 --out consumer.json', 'cidgate privacy erase 0145670003 --yes'],
  'cidgate privacy export': ['cidgate privacy export 0145670003 --out consumer.json'],
  'cidgate privacy erase': ['cidgate privacy erase 0145670003 --yes'],
  'cidgate config': ['cidgate config check /etc/cidgate/cidgate.yaml'],
  'cidgate config check': ['cidgate config check /etc/cidgate/cidgate.yaml'],
  'cidgate db': ['cidgate db migrate --db postgres://cidgate@db1/cidgate', 'cidgate db copy --from cidgate.db --to postgres://cidgate@db1/cidgate'],
  'cidgate db migrate': ['cidgate db migrate --db postgres://cidgate@db1/cidgate'],
  'cidgate db copy': ['cidgate db copy --from cidgate.db --to postgres://cidgate@db1/cidgate'],
  'cidgate serve': ['cidgate serve --config /etc/cidgate/cidgate.yaml'],
};

function common(cmd: Command, withAt = true): Command {
  cmd.option('--config <file>', 'config file (default: the embedded example)')
    .option('--db <file|url>', 'SQLite file or postgres:// URL (default: CIDGATE_DATABASE_URL, else the config\'s `database`)');
  if (withAt) cmd.option('--at <iso>', `the instant to act at (default: now); ${INSTANT_HELP}`);
  return cmd;
}

function buildProgram(run: (a: Action) => void, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Command {
  // Settings set before .command() are inherited by every subcommand.
  const program = new Command('cidgate')
    .description('Caller-ID compliance gateway for outbound call centers')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .allowExcessArguments(false);

  common(program.command('check'))
    .description('decide one call (or a batch of JSON lines): may it go out, with which caller ID?')
    .option('--from <cid>', 'caller ID the PBX would present')
    .option('--to <number>', 'destination')
    .option('--campaign <name>', 'campaign (default: the config\'s defaultCampaign)')
    .addOption(new Option('--consent [ref]', 'the consumer\'s prior consent, with an optional proof reference'))
    .option('--consent-anytime', 'the consumer agreed to be called outside the legal hours')
    .option('--zone <zone>', 'callee area hint: 1–5, a département, or GP/MQ/GF/RE/YT/PM')
    .option('--tz <zone>', 'callee time zone hint (IANA name)')
    .option('--record', 'log the decision as an attempt (without it nothing is written)')
    .option('--json', 'print one JSON object')
    .option('--batch <file>', 'JSON lines of {from,to,campaign,at,consent,consentAnytime,zone,tz} (`at` read like --at); - for stdin')
    .action((opts) => run(() => checkCommand(opts, out)));

  common(program.command('refuse <number>'))
    .description('record that the consumer refused: no prospecting call for each campaign\'s limits.refusalDays (the law\'s period at least)')
    .option('--campaign <name>', 'campaign during which they refused')
    .action((n, opts) => run(() => refuseCommand(n, opts, out)));

  const consent = program.command('consent').description('consumers\' prior consent to prospecting calls');
  common(consent.command('add <number>'))
    .description('record a consumer\'s prior consent (dated --at, never in the future)')
    .option('--source <text>', 'where the consent comes from (form, proof reference)')
    .option('--anytime', 'also consented to calls outside the legal hours')
    .action((n, opts) => run(() => consentAddCommand(n, opts, out)));
  common(consent.command('revoke <number>')).description('revoke a consent from --at on').action((n, opts) => run(() => consentRevokeCommand(n, opts, out)));
  common(consent.command('import <file>'))
    .description('CSV: number,at,source,anytime (header optional)')
    .action((f, opts) => run(() => consentImportCommand(f, opts, out)));

  const dnc = program.command('dnc').description('the do-not-call list');
  common(dnc.command('add <numbers...>')).description('add numbers to the do-not-call list').option('--source <text>', 'where the request came from').action((n, opts) => run(() => dncAddCommand(n, opts, out)));
  // Removal is not dated: the list holds who may not be called now, not since when they may be again.
  common(dnc.command('remove <number>'), false).description('take a number off the do-not-call list').action((n, opts) => run(() => dncRemoveCommand(n, opts, out)));
  common(dnc.command('import <file>'))
    .description('CSV whose first column is the number (a Bloctel export, one number per line…)')
    .option('--source <text>', 'where the list comes from')
    .action((f, opts) => run(() => dncImportCommand(f, opts, out)));

  common(program.command('attempts'), false)
    .description('the audit trail: decisions and outcomes')
    .option('--to <number>', 'only this callee')
    .option('--since <iso>', `only from this instant; ${INSTANT_HELP}`)
    .option('--until <iso>', 'only before this instant (same forms)')
    .option('--campaign <name>', 'only this campaign')
    .option('--action <action>', 'only allow, rewrite or block')
    .option('--csv', 'CSV (default on a terminal: a table; in a pipe: JSON lines)')
    .option('--json', 'JSON lines, even on a terminal')
    .action((opts) => run(() => attemptsCommand(opts, out)));

  common(program.command('report'), false)
    .description('the compliance report for a period: summary, proofs, caller IDs, charts')
    .requiredOption('--from <date>', 'first day (site time zone) or ISO instant')
    .requiredOption('--to <date>', 'last day, included (or an ISO instant, excluded)')
    .option('--campaign <name>', 'only this campaign')
    .option('--format <format>', 'html (self-contained, printable), csv, json or pdf (needs Chromium)', 'html')
    .option('--out <file>', 'write to this file (default: standard output; required for pdf)')
    .option('--unmasked', 'show consumers\' numbers in full (logged)')
    .option('--offending <n>', 'offending attempts listed per proof, all counted: a number (0: none) or all', '100')
    .option('--at <iso>', 'the report\'s "generated" instant (default: now)')
    .action((opts) => run(() => reportCommand(opts, out, err)));

  common(program.command('purge'))
    .description('delete old decisions and refusals, never those the attempt limits still read')
    .requiredOption('--older-than <days>', 'age in days')
    .action((opts) => run(() => purgeCommand(opts, out)));

  const privacy = program.command('privacy').description('one consumer\'s personal data: export it, erase it');
  common(privacy.command('export <number>'))
    .description('everything kept about one consumer (attempts, consents, refusals, do-not-call) as JSON; logged')
    .option('--out <file>', 'write to this file (default: standard output)')
    .action((n, opts) => run(() => privacyExportCommand(n, opts, out, err)));
  common(privacy.command('erase <number>'))
    .description('pseudonymise or delete what the limits no longer need, keep what the law requires, and say what was kept and why')
    .option('--yes', 'confirm: an erasure cannot be undone')
    .action((n, opts) => run(() => privacyEraseCommand(n, opts, out, err)));

  // --db is accepted like everywhere else (the CLI's contract) and has nothing to open here.
  common(program.command('config').description('configuration').command('check [file]'), false)
    .description('validate a config and explain each problem (FILE or --config; default: the embedded example)')
    .action((f, opts) => run(() => configCheckCommand(f ?? opts.config, out)));

  const db = program.command('db').description('the database: schema migrations, moving to PostgreSQL');
  common(db.command('migrate'), false)
    .description('bring the database to the latest schema (serve does it at start unless --no-migrate)')
    .action((opts) => run(() => dbMigrateCommand(opts, out)));
  db.command('copy')
    .description('copy a SQLite log into PostgreSQL (idempotent: run it again after an interruption), then compare counts')
    .requiredOption('--from <file>', 'the SQLite file')
    .option('--to <url>', 'the postgres:// URL (default: CIDGATE_DATABASE_URL)')
    .action((opts) => run(() => dbCopyCommand(opts, out, err)));

  common(program.command('serve'), false)
    .description('run the service: FastAGI, FreeSWITCH Event Socket, SIP, HTTP API, outcome tracking (SIGHUP reloads the config)')
    .option('--no-migrate', 'do not apply pending migrations at start, only check the schema (run `cidgate db migrate` instead)')
    .action((opts) => run(async () => (await import('../serve.js')).serveCommand(opts)));

  finish(program, EXAMPLES);
  return program;
}
