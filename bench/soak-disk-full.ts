import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, waitForPort } from './ports.js';
import { drive, soakConfig, startServe, stopServe } from './soak-parts.js';
import { keepFull, mountTmpfs } from './tmpfs.js';

const FS_MB = 32;

const timeFrom = (t0: number, at: string | number | undefined) => (at === undefined ? null : (typeof at === 'string' ? Date.parse(at) : at) - t0);

/**
 * The soak's full-disk phase: `cidgate serve` with its database (and journal) on a 32 MB tmpfs,
 * FastAGI calls at `rate` a second throughout; after 2 s another process fills the disk to the last
 * block and takes every block freed (a runaway log), after 3 s it stops and its file is deleted, and
 * the load goes on 4 s. Reports the calls
 * refused meanwhile, how long after the space came back the last unrecorded call was answered, the
 * service's log events, and the acknowledged attempts missing from the database (must be 0).
 */
export async function diskFullPhase(rate: number) {
  const disk = mountTmpfs(FS_MB);
  if (!disk) return { skipped: 'mount -t tmpfs not permitted (not root): no full-disk phase' };
  const work = mkdtempSync(join(tmpdir(), 'cidgate-soak-full-'));
  try {
    const port = await freePort();
    const db = join(disk.dir, 'soak.db');
    const logFile = join(work, 'serve.log');
    const server = startServe(soakConfig(work, port), db, logFile);
    server.once('exit', (code) => { if (code !== 0 && code !== null) process.stderr.write(`serve exited ${code}: see ${logFile}\n`); });
    await waitForPort(port, 60_000);
    const t0 = Date.now();
    const fillAt = t0 + 2_000;
    let freedAt = Number.MAX_SAFE_INTEGER;
    const errors = new Map<string, number>();
    const calls: { startedAt: number; answeredAt: number; attempt: number | null; refused: boolean }[] = [];
    const driving = drive(port, () => Date.now() > t0 + 9_000, { rate, concurrency: 0 }, (r, startedAt) => {
      if (!r.variables.has('CIDGATE_ACTION')) {
        const kind = r.error ?? 'closed-without-answer';
        errors.set(kind, (errors.get(kind) ?? 0) + 1);
        return;
      }
      const attempt = Number(r.variables.get('CIDGATE_ATTEMPT'));
      calls.push({ startedAt, answeredAt: Date.now(), attempt: attempt > 0 ? attempt : null, refused: r.variables.get('CIDGATE_REASON') === 'store-unavailable' });
    });
    await new Promise((r) => setTimeout(r, fillAt - Date.now()));
    const filler = await keepFull(join(disk.dir, 'filler'));
    await new Promise((r) => setTimeout(r, 3_000));
    await filler.stop();
    freedAt = Date.now();
    await driving;
    await stopServe(server);

    const check = new Database(db, { readonly: true });
    const ids = new Set(check.prepare('SELECT id FROM decisions').pluck().all() as number[]);
    check.close();
    const acknowledged = calls.filter((c) => c.attempt !== null);
    const whileFull = calls.filter((c) => c.startedAt >= fillAt && c.startedAt < freedAt);
    const unrecordedAfter = calls.filter((c) => c.startedAt >= freedAt && c.attempt === null);
    const events = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"event":"disk-full'))
      .map((l) => JSON.parse(l) as { event: string; time: string });
    const firstAt = (event: string) => events.find((e) => e.event === event && Date.parse(e.time) >= (event === 'disk-full' ? fillAt : freedAt))?.time;
    return {
      filesystemMb: FS_MB, rate,
      whileFull: { answered: whileFull.length, recorded: whileFull.filter((c) => c.attempt !== null).length, refused: whileFull.filter((c) => c.refused).length },
      // Every call started after this was recorded again.
      recordingResumedMs: unrecordedAfter.length === 0 ? 0 : Math.max(...unrecordedAfter.map((c) => c.answeredAt)) - freedAt,
      afterFreed: { answered: calls.filter((c) => c.startedAt >= freedAt).length, unrecorded: unrecordedAfter.length },
      events: { diskFull: events.filter((e) => e.event === 'disk-full').length, ended: events.filter((e) => e.event === 'disk-full-ended').length },
      // From the runaway writer's start to the service's `disk-full` line, and from the space freed to `disk-full-ended` (readiness back).
      diskFullLoggedAfterFillMs: timeFrom(fillAt, firstAt('disk-full')),
      readyAgainAfterFreedMs: timeFrom(freedAt, firstAt('disk-full-ended')),
      firstRecordedAfterFreedMs: timeFrom(freedAt, calls.find((c) => c.answeredAt >= freedAt && c.attempt !== null)?.answeredAt),
      unanswered: Object.fromEntries(errors),
      attemptsAcknowledged: acknowledged.length,
      lost: acknowledged.filter((c) => !ids.has(c.attempt!)).length,
    };
  } finally {
    disk.unmount();
    rmSync(work, { recursive: true, force: true });
  }
}
