import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** Latency summary in milliseconds from nanosecond samples. */
export function summarize(samplesNs: BigInt64Array | bigint[] | number[]): { n: number; p50: number; p99: number; p999: number; max: number } {
  const ms = Array.from(samplesNs as ArrayLike<number | bigint>, (v) => Number(v) / 1e6).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return { n: ms.length, p50: round(at(0.5)), p99: round(at(0.99)), p999: round(at(0.999)), max: round(ms[ms.length - 1] ?? 0) };
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version, date: new Date().toISOString().slice(0, 10),
  };
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024, 1);
}

/** CPU time (user + system) a process has used, in ms, from /proc (USER_HZ is 100 on Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime: fields 14 and 15 of stat(5)
}
