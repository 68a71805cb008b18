import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main.js';
import { fixedClock } from '../src/clock.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { decide } from '../src/policy/decide.js';
import { EMPTY_HISTORY, type CallRequest, type Decision, type History } from '../src/model/types.js';

export const example = loadConfig().config;

/** Decides with the example config (or another) at an instant given with its offset. */
export function decideAt(at: string, call: Partial<CallRequest>, history: Partial<History> = {}, config = example): Decision {
  const request: CallRequest = { campaign: 'prospecting', from: '0612345678', to: '0145678901', consent: true, ...call };
  return decide(request, { ...EMPTY_HISTORY, ...history }, config.site, config.campaigns.get(request.campaign), fixedClock(at));
}

export function configFrom(yaml: string) {
  return parseConfig(yaml, 'test.yaml').config;
}

export const days = (n: number) => n * 86_400_000;

export function attemptsAt(...isos: string[]) {
  return isos.map((iso) => ({ at: new Date(iso), campaign: 'prospecting', purpose: 'prospecting' as const }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Polls `cond` every 10 ms; rejects after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The stream cut at the given offsets (deduplicated, in order): the chunks a TCP peer might read. */
export function cutAt(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, stream.length]) { chunks.push(stream.subarray(prev, p)); prev = p; }
  return chunks;
}

/** The catalogue code a CLI run ended with (its `cidgate: CODE: message` line), or null. */
export function cliErrorCode(r: { err: string }): string | null {
  return /^cidgate: ([A-Z_]+): /m.exec(r.err)?.[1] ?? null;
}

/** Runs the CLI in-process with captured output; `tty` makes stdout look like a terminal. */
export async function runCli(args: readonly string[], tty = false): Promise<{ code: number; out: string; err: string }> {
  const out = Object.assign(new PassThrough(), { isTTY: tty });
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => { o += d; });
  err.on('data', (d) => { e += d; });
  const code = await main(['node', 'cidgate', ...args], out, err);
  return { code, out: o, err: e };
}
