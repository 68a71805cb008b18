/**
 * `npm run bench:kamailio [-- --quick] [-- --seconds S] [-- --rates 50,100,…] [-- --json FILE]`:
 * calls per second through Kamailio alone, with cidgate asynchronously (cidgate.cfg, evapi) and
 * with cidgate over HTTP (cidgate-http.cfg, http_client), and the INVITE→200 latency of each — a
 * SIPp rate ramp (S seconds per step, 10 by default), the three configurations at each step, in
 * the same run. Kamailio alone is the shipped kamailio.cfg with its `route(CIDGATE);` line
 * replaced by `route(CIDGATE_OUT);` (straight to the carrier). Needs kamailio and sipp; the
 * figures mean nothing with --quick (a smoke run of a few seconds).
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
  writeFileSync(join(work, 'kamailio-baseline.cfg'), cfg.replace('\troute(CIDGATE);\n', '\troute(CIDGATE_OUT);\n'));
  for (const f of ['cidgate.cfg', 'cidgate-http.cfg', 'cidgate-common.cfg', 'cidgate-trusted.list']) copyFileSync(join(dirname(KAMAILIO_CFG), f), join(work, f));
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

const CONFIGURATIONS = ['baseline', 'async', 'http'] as const;
type Configuration = typeof CONFIGURATIONS[number];
const LABEL: Record<Configuration, string> = { baseline: 'Kamailio alone', async: '+ cidgate async', http: '+ cidgate http_client' };

async function main(): Promise<void> {
  const work = benchWorkDir('cidgate-bench-kamailio-'); // deleted at exit, on failure and on Ctrl-C
  const evapiPort = await freePort();
  const cidgate = await startCidgate(work, await freePort(), [evapiPort]);
  const carrier = await startCarrier(work, await freeUdpPort(), false);
  const kamailios: Record<Configuration, Kamailio> = {
    baseline: await startKamailio(work, { sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url, cfg: baselineConfig(work) }),
    async: await startKamailio(work, { sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url, evapiPort }),
    http: await startKamailio(work, { sipPort: await freeUdpPort(), carrierPort: carrier.port, cidgateUrl: cidgate.url, httpMode: true }),
  };
  const results = { machine: machine(), quick, stepSeconds, steps: { baseline: [] as Step[], async: [] as Step[], http: [] as Step[] } };
  try {
    for (const rate of rates) {
      log(`${rate} calls/s offered, ${stepSeconds} s, ${CONFIGURATIONS.join(', ')}`);
      for (const c of CONFIGURATIONS) results.steps[c].push(await step(kamailios[c], work, rate));
    }
  } finally {
    for (const c of CONFIGURATIONS) await kamailios[c].stop();
    await carrier.stop();
    await cidgate.stop();
  }

  // Sustained: every offered call answered and at least 95% of the offered rate achieved.
  const sustained = (steps: Step[]) => Math.max(0, ...steps.filter((s) => s.answered === s.offered && s.callsPerSecond >= 0.95 * s.rate).map((s) => s.rate));
  const per = <T>(f: (steps: Step[]) => T) => Object.fromEntries(CONFIGURATIONS.map((c) => [c, f(results.steps[c])])) as Record<Configuration, T>;
  const low = per((steps) => steps[0]!);
  const summary = {
    sustainedCallsPerSecond: per(sustained),
    bestCallsPerSecond: per((steps) => Math.max(0, ...steps.map((s) => s.callsPerSecond))),
    addedLatencyMs: Object.fromEntries((['async', 'http'] as const).map((c) => [c, {
      rate: low[c].rate, p50: low[c].latencyMs.p50 - low.baseline.latencyMs.p50, p99: low[c].latencyMs.p99 - low.baseline.latencyMs.p99,
    }])),
  };
  const m = results.machine;
  const lines = [`cidgate Kamailio benchmark — ${m.date}, ${m.cpu}, ${m.cores} cores, ${quick ? 'QUICK (figures meaningless)' : `${stepSeconds} s per step`}`, '',
    `| offered calls/s | ${CONFIGURATIONS.map((c) => `${LABEL[c]}: answered, calls/s, INVITE→200 p50 / p99 ms`).join(' | ')} |`,
    `|---:|${CONFIGURATIONS.map(() => '---|').join('')}`];
  for (let i = 0; i < rates.length; i++) {
    lines.push(`| ${rates[i]} | ${CONFIGURATIONS.map((c) => {
      const s = results.steps[c][i]!;
      return `${s.answered}/${s.offered}, ${s.callsPerSecond}/s, ${s.latencyMs.p50} / ${s.latencyMs.p99}`;
    }).join(' | ')} |`);
  }
  lines.push('', `sustained calls/s: baseline ${summary.sustainedCallsPerSecond.baseline}, async ${summary.sustainedCallsPerSecond.async}, http ${summary.sustainedCallsPerSecond.http}`,
    `added latency per INVITE at ${low.baseline.rate} calls/s (SIPp measures whole milliseconds): async p50 ${summary.addedLatencyMs.async!.p50} ms p99 ${summary.addedLatencyMs.async!.p99} ms, http p50 ${summary.addedLatencyMs.http!.p50} ms p99 ${summary.addedLatencyMs.http!.p99} ms`);
  const json = JSON.stringify({ ...results, summary });
  process.stdout.write(`${lines.join('\n')}\n${json}\n`);
  if (jsonOut) writeFileSync(jsonOut, json);
}

main().catch((err) => { process.stderr.write(`bench failed: ${(err as Error).stack}\n`); process.exit(1); });
