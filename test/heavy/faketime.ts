import { existsSync, writeFileSync } from 'node:fs';

/** Debian's libfaketime (apt `faketime`), for a child process with a clock of its own. */
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1']
  .find((p) => existsSync(p)) ?? null;

export const faketimeAvailable = LIBFAKETIME !== null;
export const FAKETIME_HOW = 'apt-get install faketime (bash .ci/run does)';

/**
 * The environment of a process whose wall clock is `offset` off the host's ("+1.5", "-0.5": seconds).
 * Monotonic clocks are not faked: Node's timers keep the host's pace.
 */
export function fakeTimeEnv(offset: string): NodeJS.ProcessEnv {
  return { LD_PRELOAD: LIBFAKETIME!, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

/**
 * A clock read from `file` at every call (FAKETIME_NO_CACHE): `step(file, '-10')` moves the running
 * process's clock, as an NTP step or a resumed VM does.
 */
export function steppableTimeEnv(file: string, offset = '+0'): NodeJS.ProcessEnv {
  writeFileSync(file, `${offset}\n`);
  return { LD_PRELOAD: LIBFAKETIME!, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

export function step(file: string, offset: string): void {
  writeFileSync(file, `${offset}\n`);
}
