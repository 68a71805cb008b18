import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { agiSession, type AgiOutcome } from '../../bench/agi-client.js';
import { freePort } from '../../bench/ports.js';
import { startServe, writeConfig, type Served } from '../http/serve-process.js';

/** The pool the race draws on: two Paris numbers under a daily cap, and a 09 number. */
export const POOL = ['01 62 00 00 01', '01 63 00 00 01', '09 48 00 00 01'];
export const DAILY_CAP = 50;
/** The 40 consumers every node decides for (fictitious Paris numbers). */
export const CONSUMERS = Array.from({ length: 40 }, (_, i) => `0145${String(600_000 + i)}`);

/** A `cidgate serve` process on the shared database; its journal in a directory of its own. */
export interface Node extends Served {
  readonly fastagi: number;
  readonly dir: string;
}

/**
 * Starts `n` serve processes on one PostgreSQL database at once (they migrate it together), each
 * with FastAGI on a port of its own and the prospecting campaign on a small capped pool.
 */
export async function startNodes(n: number, url: string, waitMs: number): Promise<Node[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startNode(url, waitMs)));
  const nodes = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stopNodes(nodes);
    throw failed.reason;
  }
  return nodes;
}

/** `env`: the node's own (libfaketime's, for a node with a clock of its own); `overrides`: deep-merged into its config. */
export async function startNode(url: string, waitMs: number, opts: { env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}): Promise<Node> {
  const fastagi = await freePort();
  const written = writeConfig({
    asterisk: { fastagi: { enabled: true, port: fastagi } },
    store: { waitMs },
    campaigns: { prospecting: { pool: POOL, dailyCapPerNumber: DAILY_CAP } },
    ...opts.overrides,
  });
  // A PostgreSQL node keeps its journal in its working directory: one each.
  const served = await startServe({ config: written.config, db: url, dir: written.dir, cwd: written.dir, env: opts.env });
  return { ...served, fastagi, dir: written.dir };
}

/** SIGTERM to every node still running (all at once), then their directories removed. */
export async function stopNodes(nodes: readonly Node[]): Promise<void> {
  await Promise.all(nodes.map(async (node) => {
    if (node.proc.exitCode === null && node.proc.signalCode === null) await node.stop();
    rmSync(node.dir, { recursive: true, force: true });
  }));
}

/** One prospecting FastAGI session (consent to calls at any hour: the time of day does not matter). */
export function session(node: Node, callee: string, timeoutMs = 30_000, campaign = 'prospecting'): Promise<AgiOutcome> {
  return agiSession(node.fastagi, callee, { timeoutMs, args: [campaign, 'consent=1', 'consent_anytime=1'] });
}

/** The attempt id the PBX was given (CIDGATE_ATTEMPT), or null. */
export function attemptId(o: AgiOutcome): number | null {
  const id = o.variables.get('CIDGATE_ATTEMPT');
  return id ? Number(id) : null;
}

/** What the database holds afterwards, read over a connection of its own. */
export async function audit(url: string, given: readonly number[]) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const perConsumer = await sql<{ callee: string; n: number }[]>`
      SELECT callee, count(*)::int AS n FROM decisions WHERE counted AND at > now() - interval '30 days' GROUP BY callee`;
    const perNumber = await sql<{ day: string; number: string; count: number }[]>`SELECT day, number, count FROM number_usage`;
    const presented = await sql<{ number: string; n: number }[]>`
      SELECT presented_caller_id AS number, count(*)::int AS n FROM decisions WHERE counted GROUP BY 1`;
    const found = await sql<{ id: number }[]>`SELECT id::float8 AS id FROM decisions WHERE id = ANY(${given as number[]}::bigint[])`;
    const missing = given.filter((id) => !found.some((f) => f.id === id));
    return { perConsumer, perNumber, presented, missing };
  } finally {
    await sql.end();
  }
}

/** A scratch directory for a test, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
