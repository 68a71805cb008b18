/**
 * The shipped dialplan files, read and run as Asterisk would for the few applications they use, so
 * a test runs the very lines an administrator pastes (and the docs quote) against the fake Asterisk.
 * Anything the files use that this does not know fails the test rather than being skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { FakeAsteriskCall, envChunks, withEnv } from './fake-asterisk.js';

export interface Step {
  readonly priority: number;
  readonly label: string | null;
  readonly app: string;
  /** The application's argument text, variables not yet substituted. */
  readonly data: string;
  /** The line as written in the file (comments and surrounding spaces removed). */
  readonly line: string;
}

/** context → extension pattern → its steps in priority order. Lines before any `[context]` go under ''. */
export type Dialplan = ReadonlyMap<string, ReadonlyMap<string, readonly Step[]>>;

export function readDialplan(relativePath: string): { text: string; dialplan: Dialplan } {
  const text = readFileSync(join(PACKAGE_ROOT, relativePath), 'utf8');
  return { text, dialplan: parseDialplan(text) };
}

/** pbx_config's reading of `[context]`, `exten => pattern,priority,App(data)` and `same => priority,App(data)`. */
export function parseDialplan(text: string): Dialplan {
  const contexts = new Map<string, Map<string, Step[]>>();
  let context = '';
  let last = null as { pattern: string; priority: number } | null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') continue;
    const ctx = /^\[([^\]]+)\]$/.exec(line);
    if (ctx) { context = ctx[1]!; last = null; continue; }
    const m = /^(exten|same)\s*=>\s*(.*)$/.exec(line);
    if (!m) throw new Error(`not an extension line: ${line}`);
    const fields = m[2]!.split(',');
    const pattern: string | undefined = m[1] === 'exten' ? fields.shift()! : last?.pattern;
    if (pattern === undefined) throw new Error(`"same" with no extension before it: ${line}`);
    const prio = /^(\d+|n)(?:\((.+)\))?$/.exec(fields.shift()!.trim());
    const app = /^(\w+)\((.*)\)$/.exec(fields.join(',').trim());
    if (!prio || !app) throw new Error(`unreadable priority or application: ${line}`);
    const previous: number = last !== null && last.pattern === pattern ? last.priority : 0;
    const priority: number = prio[1] === 'n' ? previous + 1 : Number(prio[1]);
    if (prio[1] === 'n' && previous === 0) throw new Error(`"n" with no priority before it: ${line}`);
    const exts = contexts.get(context) ?? new Map<string, Step[]>();
    contexts.set(context, exts);
    const steps = exts.get(pattern) ?? [];
    exts.set(pattern, steps);
    steps.push({ priority, label: prio[2] ?? null, app: app[1]!, data: app[2]!, line });
    last = { pattern, priority };
  }
  return contexts;
}

/** `${NAME}`, `${NAME:offset}`, `${NAME:offset:length}`, as Asterisk substitutes them (unset: empty). */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_()]*?)(?::(-?\d+)(?::(\d+))?)?\}/g, (_, name: string, offset?: string, length?: string) => {
    const value = vars.get(name) ?? '';
    const from = offset === undefined ? 0 : Number(offset);
    return value.slice(from < 0 ? value.length + from : from, length === undefined ? undefined : (from < 0 ? value.length + from : from) + Number(length));
  });
}

/** `$["a" = "b" | "c" != "d"]`, the only expressions the files use. */
function evaluate(expression: string): boolean {
  const inner = /^\$\[(.*)\]$/.exec(expression.trim())?.[1];
  if (inner === undefined) throw new Error(`not an expression: ${expression}`);
  return inner.split(' | ').some((term) => {
    const t = /^\s*"([^"]*)"\s*(=|!=)\s*"([^"]*)"\s*$/.exec(term);
    if (!t) throw new Error(`unsupported expression term: ${term}`);
    return (t[1] === t[3]) === (t[2] === '=');
  });
}

export type Ending = { readonly kind: 'hangup'; readonly cause: number | null } | { readonly kind: 'return'; readonly app: string };

export interface Run {
  readonly ending: Ending;
  /** Each Dial(), with the caller ID the channel had when it ran. */
  readonly dials: { readonly dialString: string; readonly callerIdNum: string; readonly callerIdName: string }[];
  /** The priorities that ran, in order. */
  readonly ran: number[];
}

/**
 * Runs one extension on a channel whose variables are `vars` (changed in place, as the channel's);
 * `agi` plays each AGI() (its substituted arguments) and merges what the session set.
 */
export async function runExtension(steps: readonly Step[], vars: Map<string, string>, agi: (args: string[], step: Step) => Promise<void>): Promise<Run> {
  const dials: Run['dials'] = [];
  const ran: number[] = [];
  let at = 0;
  while (at < steps.length) {
    const step = steps[at]!;
    ran.push(step.priority);
    const data = substitute(step.data, vars);
    at++;
    switch (step.app) {
      case 'AGI': await agi(data.split(','), step); break;
      case 'Set': { const eq = data.indexOf('='); vars.set(data.slice(0, eq), data.slice(eq + 1)); break; }
      case 'NoOp': break;
      case 'Dial': dials.push({ dialString: data.split(',')[0]!, callerIdNum: vars.get('CALLERID(num)') ?? '', callerIdName: vars.get('CALLERID(name)') ?? '' }); break;
      case 'GotoIf': {
        const q = data.lastIndexOf('?');
        const [yes, no] = data.slice(q + 1).split(':');
        const target = evaluate(data.slice(0, q)) ? yes : no;
        if (target) {
          at = steps.findIndex((s) => s.label === target);
          if (at === -1) throw new Error(`no label ${target}`);
        }
        break;
      }
      case 'Hangup': return { ending: { kind: 'hangup', cause: data === '' ? null : Number(data) }, dials, ran };
      case 'Return': case 'MacroExit': return { ending: { kind: 'return', app: step.app }, dials, ran };
      default: throw new Error(`application ${step.app} not known to the test's dialplan runner`);
    }
  }
  throw new Error('the extension ran out of priorities');
}

/**
 * One AGI() of a running extension played as a FastAGI session: the captured environment block of
 * `capture` (its chunks, its channel, caller ID and unique id), with the request, priority and
 * arguments this AGI line expands to. What the session set lands in `vars`; AGISTATUS as res_agi
 * sets it (FAILURE when the server could not be reached).
 */
export async function playAgi(port: number, capture: string, args: readonly string[], step: Step, vars: Map<string, string>): Promise<FakeAsteriskCall> {
  const [url = '', ...agiArgs] = args;
  const replace: Record<string, string | null> = {
    agi_request: url, agi_network_script: url.replace(/^agi:\/\/[^/]+\//, ''), agi_priority: String(step.priority),
  };
  for (let i = 1; i <= Math.max(agiArgs.length, 4); i++) replace[`agi_arg_${i}`] = agiArgs[i - 1] ?? null;
  const call = new FakeAsteriskCall(port, { env: withEnv(envChunks(capture), replace) });
  await call.done;
  for (const [name, value] of call.variables) vars.set(name, value);
  vars.set('AGISTATUS', call.error ? 'FAILURE' : 'SUCCESS');
  return call;
}
