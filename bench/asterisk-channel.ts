/**
 * What Asterisk 22 does with one AGI command line, down to the channel variables it sets: the two
 * parsers between the wire and a variable, as test/fixtures/asterisk-22/one-command-variables.log
 * shows them (and as res_agi.c's parse_args, app.c's __ast_app_separate_args, pbx_variables.c's
 * Set/MSet and func_strings.c's ARRAY() implement them). No sockets: the tests' FakeAsteriskCall and
 * the soak's client (agi-client.ts) play the wire; bench/ holds it so that both use this one copy.
 */

/** res_agi's MAX_ARGS. */
const MAX_AGI_ARGS = 128;

/**
 * The AGI line parser (res_agi parse_args): spaces and tabs outside quotes separate arguments; `"`
 * toggles quoting and is dropped; a backslash escapes ANY next character, inside quotes too.
 */
export function agiArgs(line: string): string[] {
  const args: string[] = [];
  let quoted = false;
  let escaped = false;
  let whitespace = true;
  for (const ch of line) {
    if (ch === '"' && !escaped) {
      quoted = !quoted;
      if (quoted && whitespace) { args.push(''); whitespace = false; } // a quote after a space starts an argument
      continue;
    }
    if ((ch === ' ' || ch === '\t') && !quoted && !escaped) { whitespace = true; continue; }
    if (ch === '\\' && !escaped) { escaped = true; continue; }
    if (whitespace) {
      if (args.length >= MAX_AGI_ARGS - 1) continue; // "Too many arguments, truncating"
      args.push('');
      whitespace = false;
    }
    args[args.length - 1] += ch;
    escaped = false;
  }
  return args;
}

/**
 * The application argument parser (app.c __ast_app_separate_args, `removeChars` as in
 * AST_STANDARD_APP_ARGS): `delim` separates outside quotes, parentheses and brackets (an
 * unbalanced `(` or `[` swallows the separators after it); with removeChars, quotes are dropped and
 * a backslash makes the next character literal. At most `max` arguments: the last gets the rest
 * of the string, unparsed.
 */
export function appArgs(s: string, delim: string, max: number, removeChars = true): string[] {
  const out: string[] = [];
  let i = 0;
  let paren = 0;
  let bracket = 0;
  let quote = false;
  let endedOnDelim = false;
  while (i < s.length && out.length < max - 1) {
    let cur = '';
    endedOnDelim = false;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '(') paren++;
      else if (c === ')') { if (paren) paren--; }
      else if (c === '[') bracket++;
      else if (c === ']') { if (bracket) bracket--; }
      else if (c === '"' && delim !== '"') {
        quote = !quote;
        if (removeChars) continue;
      } else if (c === '\\') {
        if (!removeChars) cur += c;
        i++;
        if (i < s.length) cur += s[i];
        continue;
      } else if (c === delim && !paren && !quote && !bracket) {
        i++;
        endedOnDelim = true;
        break;
      }
      cur += c;
    }
    out.push(cur);
  }
  // The rest after the last allowed argument, or the empty one after a trailing separator.
  if (i < s.length || endedOnDelim) out.push(s.slice(i));
  return out;
}

const USAGE_520 = ['520-Invalid command syntax.  Proper usage follows:\n', 'Sets a variable to the current channel.\n520 End of proper usage.\n'];

/** Applications the fake knows; any other is "not found" (EXEC answers -2). */
const APPS = new Set(['set', 'mset', 'noop', 'wait', 'verbose']);

export interface ChannelOptions {
  /** func_strings loaded (ARRAY(), LEN()…): true on every standard Asterisk. */
  readonly funcStrings?: boolean;
  /** CALLERID(num) before any write. */
  readonly callerId?: string;
}

/** One channel: its variables (function writes kept under the function's name), and Asterisk's warnings. */
export class AsteriskChannel {
  /** What was written: `CIDGATE_ACTION`, `CALLERID(num)`… (unset = absent). */
  readonly variables = new Map<string, string>();
  readonly warnings: string[] = [];

  constructor(private readonly opts: ChannelOptions = {}) {}

  /** One command line (no `\n`) → what Asterisk writes back, write by write. */
  command(line: string): string[] {
    const argv = agiArgs(line);
    const words = argv.map((a) => a.toUpperCase());
    if (words[0] === 'SET' && words[1] === 'VARIABLE') {
      if (argv.length !== 4) return USAGE_520;
      this.setVar(argv[2]!, argv[3]!);
      return ['200 result=1\n'];
    }
    if (words[0] === 'GET' && words[1] === 'VARIABLE') {
      if (argv.length !== 3) return USAGE_520;
      const v = this.read(argv[2]!);
      return [v === undefined ? '200 result=0\n' : `200 result=1 (${v})\n`];
    }
    if (words[0] === 'EXEC') {
      if (argv.length < 2) return USAGE_520;
      return [`200 result=${this.exec(argv[1]!, argv.length === 2 ? '' : argv[2]!)}\n`]; // only the second argument
    }
    if (words[0] === 'NOOP') return ['200 result=0\n'];
    return ['510 Invalid or unknown command\n'];
  }

  /** The value the dialplan sees: `${name}`. */
  read(name: string): string | undefined {
    if (!name.endsWith(')')) return this.variables.get(name);
    const [fn, arg] = funcArgs(name);
    if (fn === 'LEN') return this.opts.funcStrings === false ? this.warn(`Function LEN not registered`) : String(arg.length);
    if (fn === 'ARRAY') return this.warn('Function ARRAY cannot be read');
    return this.variables.get(name) ?? (name === 'CALLERID(num)' ? this.opts.callerId : undefined);
  }

  /** pbx_builtin_setvar_helper: a name ending in `)` is a function write. */
  private setVar(name: string, value: string): void {
    if (!name.endsWith(')')) { this.variables.set(name, value); return; }
    const [fn, arg] = funcArgs(name);
    if (fn !== 'ARRAY') { this.variables.set(name, value); return; }
    if (this.opts.funcStrings === false) { this.warn('Function ARRAY not registered'); return; }
    // func_strings array(): names and values each split by the application parser; missing values set empty.
    const names = appArgs(arg, ',', 100);
    const values = appArgs(value, ',', 100);
    names.forEach((n, i) => this.setVar(n, values[i] ?? ''));
  }

  /** A dialplan application run on the channel (what EXEC runs); its return value. */
  exec(app: string, data: string): number {
    const name = app.toLowerCase();
    if (!APPS.has(name)) { this.warn(`Could not find application (${app})`); return -2; }
    if (name === 'set') {
      // pbx_builtin_setvar: everything after the first `=` is the value, commas included.
      const eq = data.indexOf('=');
      if (eq === -1) this.warn(`Set requires an '=' to be a valid assignment.`);
      else this.setVar(data.slice(0, eq), data.slice(eq + 1));
    } else if (name === 'mset') {
      // pbx_builtin_setvar_multiple: pairs split by the application parser, then each at its first `=`.
      if (data === '') this.warn('MSet requires at least one variable name/value pair.');
      for (const pair of appArgs(data, ',', 99)) {
        const [n = '', v] = appArgs(pair, '=', 2);
        if (v === undefined) this.warn(`MSet: ignoring entry '${n}' with no '='`);
        else this.setVar(n, v);
      }
    }
    return 0;
  }

  private warn(message: string): undefined {
    this.warnings.push(message);
    return undefined;
  }
}

/** `ARRAY(a,b)` → ['ARRAY', 'a,b'] (pbx func_args: from the first `(` to the last `)`). */
function funcArgs(name: string): [string, string] {
  const open = name.indexOf('(');
  return [name.slice(0, open).toUpperCase(), name.slice(open + 1, name.lastIndexOf(')'))];
}
