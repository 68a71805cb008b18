import { parseArgs } from 'node:util';

type Spec = Record<string, { type: 'string' | 'boolean' }>;
type Values<S extends Spec> = { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };

/**
 * The options of a benchmark script: `--help` prints `usage` and exits 0; an unknown option, a
 * missing value or a stray argument prints the error and `usage` and exits 2 — a typo must not
 * start a run of several minutes with the defaults.
 */
export function scriptOptions<S extends Spec>(usage: string, options: S): Values<S> {
  try {
    const { values } = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return values as Values<S>;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

/** A numeric option: its value, `fallback` when absent; anything but a number ≥ `min` exits 2. */
export function numberOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || value.trim() === '') {
    process.stderr.write(`--${name} must be a number ≥ ${min}, not "${value}"\n`);
    process.exit(2);
  }
  return n;
}
