/**
 * `npm run bench:kamailio [-- --quick] [-- --seconds S] [-- --rates 50,100,…] [-- --json FILE]`:
 * calls per second through Kamailio with and without the cidgate lookup, and the latency the
 * lookup adds to each INVITE — a SIPp rate ramp (S seconds per step, 10 by default), both
 * configurations at each step, in the same run. The baseline is the shipped kamailio.cfg with only
 * its `route(CIDGATE);` line removed. Needs kamailio and sipp; the figures mean nothing with
 * --quick (a smoke run of a few seconds).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  KAMAILIO_CFG, runPbx, startCarrier, startCidgate, startKamailio, type Kamailio, type PbxCall,
} from './kamailio-lab.js';
import { numberOption, scriptOptions } from './args.js';
import { freePort, freeUdpPort } from './ports.js';
import { machine, summarize } from './stats.js';
import { benchWorkDir } from './workdir.js';

const args = scriptOptions('usage: npm run bench:kamailio [-- --quick] [-- --seconds S] [-- --rates 50,100,…] [-- --json FILE]',
  { quick: { type: 'boolean' }, json: { type: 'string' }, rates: { type: 'string' }, seconds: { type: 'string' } });
const quick = args.quick ?? false;
const jsonOut = args.json;
const rates = args.rates?.split(',').map((r) => numberOption(r, 'rates', 0, 1)) ?? (quick ? [20, 40] : [50, 100, 200, 400, 600, 800, 1000]);
const stepSeconds = numberOption(args.seconds, 'seconds', quick ? 1 : 10, 1);
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** The shipped configuration without the lookup, next to copies of its include files. */
function baselineConfig(work: string): string {
  const cfg = readFileSync(KAMAILIO_CFG, 'utf8');
  if (!cfg.includes('\troute(CIDGATE);\n')) throw new Error('kamailio.cfg no longer calls route(CIDGATE) on its own line');
  writeFileSync(join(work, 'kamailio-baseline.cfg'), cfg.replace('\troute(CIDGATE);\n', '\n'));
  for (const f of ['cidgate.cfg', 'cidgate-trusted.list']) copyFileSync(join(dirname(KAMAILIO_CFG), f), join(work, f));
  return join(work, 'kamailio-baseline.cfg');
}

/** Customer calls from a mobile (always rewritten) to zone-4 numbers, a different one each time. */
function calls(n: number): PbxCall[] {
  return Array.from({ length: n }, (_, i) => ({ from: '0612345678', to: `047${String(1_000_000 + i).slice(-7)}`, campaign: 'customer' }));
}

interface Step { rate: number; offered: number; answered: number; callsPerSecond: number; latencyMs: ReturnType<typeof summarize> }

async function step(k: Kamailio, work: string, rate: number): Promise<Step> {
  const offered = Math.max(1, Math.round(rate * stepSeconds));
  const run = await runPbx(work, {
    kamailioPort: k.port, calls: calls(offered), rate, limit: Math.max(50, rate * 2), holdMs: 0, trace: false, timeoutSeconds: stepSeconds * 3 + 30,
  });
  const answered = run.responseTimesMs.length;
  // Answered calls per second while they were being answered (not counting calls left to time out).
  const spanSeconds = (Math.max(...run.answeredAtMs) - Math.min(...run.answeredAtMs)) / 1000 + 1 / rate;
  const callsPerSecond = answered === 0 ? 0 : Math.round(answered / spanSeconds);
  return { rate, offered, answered, callsPerSecond, latencyMs: summarize(run.responseTimesMs.map((ms) => ms * 1e6)) };
}

async function main(): Promise<void> {
  const work = benchWorkDir('cidgate-bench-kamailio-'); // deleted at exit, on failure and on Ctrl-C
  const cidgate = await startCidgate(work, await freePort());
  const carrier = await startCarrier(work, await freeUdpPort(), false);
  const withLookup = await startKamailio(work, { sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url });
  const baseline = await startKamailio(work, { sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url, cfg: baselineConfig(work) });
  const results = { machine: machine(), quick, stepSeconds, withLookup: [] as Step[], baseline: [] as Step[] };
  try {
    for (const rate of rates) {
      log(`${rate} calls/s offered, ${stepSeconds} s, baseline then with the lookup`);
      results.baseline.push(await step(baseline, work, rate));
      results.withLookup.push(await step(withLookup, work, rate));
    }
  } finally {
    await withLookup.stop();
    await baseline.stop();
    await carrier.stop();
    await cidgate.stop();
  }

  // Sustained: every offered call answered and at least 95% of the offered rate achieved.
  const sustained = (steps: Step[]) => Math.max(0, ...steps.filter((s) => s.answered === s.offered && s.callsPerSecond >= 0.95 * s.rate).map((s) => s.rate));
  const best = (steps: Step[]) => Math.max(0, ...steps.map((s) => s.callsPerSecond));
  const low = { with: results.withLookup[0]!, without: results.baseline[0]! };
  const summary = {
    sustainedCallsPerSecond: { withLookup: sustained(results.withLookup), baseline: sustained(results.baseline) },
    bestCallsPerSecond: { withLookup: best(results.withLookup), baseline: best(results.baseline) },
    inviteTo200Ms: { rate: low.with.rate, withLookup: low.with.latencyMs, baseline: low.without.latencyMs },
    addedLatencyMs: { p50: low.with.latencyMs.p50 - low.without.latencyMs.p50, p99: low.with.latencyMs.p99 - low.without.latencyMs.p99 },
  };
  const m = results.machine;
  const lines = [`cidgate Kamailio benchmark — ${m.date}, ${m.cpu}, ${m.cores} cores, ${quick ? 'QUICK (figures meaningless)' : `${stepSeconds} s per step`}`, ''];
  for (let i = 0; i < rates.length; i++) {
    const [b, w] = [results.baseline[i]!, results.withLookup[i]!];
    lines.push(`${String(rates[i]).padStart(5)} calls/s offered   baseline ${b.answered}/${b.offered} answered, ${b.callsPerSecond}/s, INVITE→200 p50 ${b.latencyMs.p50} ms p99 ${b.latencyMs.p99} ms`
      + `   with cidgate ${w.answered}/${w.offered}, ${w.callsPerSecond}/s, p50 ${w.latencyMs.p50} ms p99 ${w.latencyMs.p99} ms`);
  }
  lines.push('', `sustained calls/s: baseline ${summary.sustainedCallsPerSecond.baseline}, with cidgate ${summary.sustainedCallsPerSecond.withLookup}`,
    `added latency per INVITE at ${low.with.rate} calls/s: p50 ${summary.addedLatencyMs.p50} ms, p99 ${summary.addedLatencyMs.p99} ms (SIPp measures whole milliseconds)`);
  const json = JSON.stringify({ ...results, summary });
  process.stdout.write(`${lines.join('\n')}\n${json}\n`);
  if (jsonOut) writeFileSync(jsonOut, json);
}

main().catch((err) => { process.stderr.write(`bench failed: ${(err as Error).stack}\n`); process.exit(1); });
