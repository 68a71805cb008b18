import type { Writable } from 'node:stream';

/** Outputs whose reader has gone. Node leaves stdout "writable" after an EPIPE, so it is noted here. */
const readerGone = new WeakSet<NodeJS.WritableStream>();

/**
 * A reader that stopped (`cidgate check --batch … | head -3`) is not an error: the output is marked
 * closed and commands stop quietly. Anything else going wrong with it is said once, without a trace.
 */
export function watchOutput(out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (!readerGone.has(out) && e.code !== 'EPIPE') err.write(`cidgate: output: ${e.message}\n`);
    readerGone.add(out);
  });
}

/** True once nothing more can be written to `out`. */
export function outputClosed(out: NodeJS.WritableStream): boolean {
  return readerGone.has(out) || (out as Writable).destroyed === true;
}

/**
 * Writes one line, waiting for the reader when the pipe is full. Resolves false once the reader has
 * gone, so a long command stops instead of deciding lines nobody will read.
 */
export async function writeLine(out: NodeJS.WritableStream, line: string): Promise<boolean> {
  if (outputClosed(out)) return false;
  if (!out.write(`${line}\n`)) {
    await new Promise<void>((resolve) => {
      const done = () => { out.off('drain', done); out.off('close', done); out.off('error', done); resolve(); };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  }
  // An EPIPE is reported on the next tick: let it arrive before saying the line went out.
  await new Promise((r) => setImmediate(r));
  return !outputClosed(out);
}
