/**
 * The error catalogue (after fastify's lib/errors.js): every error cidgate raises or answers with has
 * a stable code listed here, with its message template, the CLI exit status or HTTP status it
 * produces, where it sits in a protocol when it is a protocol error, and what to do about it. The
 * README's "Error codes" table is checked against this list (test/errors/catalogue.test.ts).
 */
interface ErrorSpec {
  /** The message's shape; `%s` is filled by the raiser with the specifics. */
  readonly template: string;
  /** CLI exit status when the error ends a command (null: never ends one). */
  readonly exit: number | null;
  /** HTTP status when the API answers with it (null: never an HTTP answer). */
  readonly http: number | null;
  /** For protocol errors: where in the protocol it is raised and what becomes of the session. */
  readonly protocol?: string;
  /** What the operator should do. */
  readonly action: string;
}

export const ERRORS = {
  CONFIG_INVALID: { template: 'config %s: %s', exit: 2, http: null, action: 'run `cidgate config check FILE` and fix each key it names' },
  CONFIG_UNREADABLE: { template: 'cannot read config %s: %s', exit: 2, http: null, action: 'check the path and the file\'s permissions' },
  BAD_OPTION: { template: '%s: %s', exit: 2, http: 400, action: 'fix the option named (see `cidgate COMMAND --help`)' },
  BAD_NUMBER: { template: 'not a phone number: %s', exit: 2, http: 400, action: 'give a French number (0X XX XX XX XX) or E.164 (+33…)' },
  BAD_INPUT: { template: '%s: %s', exit: 2, http: 400, action: 'fix the file or line named (a batch or CSV row, a missing file)' },
  STORE_ERROR: { template: 'database %s: %s', exit: 2, http: null, action: 'check the database (disk, permissions, server up); decisions fall back to `failOpen`' },
  STORE_TIMEOUT: { template: 'database did not answer within %s ms', exit: 2, http: null, action: 'check the database\'s load and `database` settings; decisions fall back to `failOpen`' },
  STORE_READ_ONLY: { template: 'database %s is not writable: %s', exit: 2, http: null, action: 'give the service user write access to the file and its directory' },
  STORE_DISK_FULL: { template: 'database %s: disk full', exit: 2, http: null, action: 'free space on the database\'s filesystem: recording resumes by itself (calls follow `onStoreError` meanwhile); the log line `disk-full-ended` says when' },
  STORE_REPLACED: { template: 'database file %s was deleted or replaced while running', exit: 2, http: null, action: 'restart cidgate: it reopens the file at the path and replays the journal into it; find what replaced the file' },
  STORE_SCHEMA_OUTDATED: { template: 'database %s is at schema version %s; this cidgate needs %s', exit: 2, http: null, action: 'run `cidgate db migrate` against the database (or start `serve` without --no-migrate), then start again' },
  LISTEN_FAILED: { template: '%s: cannot listen on %s: %s', exit: 2, http: null, action: 'free the port or change the listener\'s address in the config' },
  ERASE_NOT_CONFIRMED: { template: 'erasing %s cannot be undone', exit: 2, http: null, action: 'export first (`cidgate privacy export NUMBER`), then run the erase again with --yes' },
  CHROMIUM_NOT_FOUND: { template: 'no Chromium at %s', exit: 2, http: null, action: 'install chromium or set CIDGATE_CHROMIUM to its path' },
  AGI_PROTOCOL_ERROR: {
    template: '%s', exit: null, http: null,
    protocol: 'FastAGI: the environment block, a command\'s answer, or the socket (over-long line, NUL byte, idle timeout, close); that session closes with a log line `agi-session-error` (CIDGATE_* variables unset, the dialplan goes on after AGI()); other sessions are not disturbed',
    action: 'check that the dialplan calls AGI(agi://…) on cidgate\'s FastAGI port, not an Event Socket or HTTP client',
  },
  ESL_PROTOCOL_ERROR: {
    template: '%s', exit: null, http: null,
    protocol: 'Event Socket: a header block, Content-Length or reply framing, or the socket (idle timeout, close); that connection closes with a log line (`esl-session-error` for an outbound session; the outcome client reconnects with backoff)',
    action: 'check that the `socket` application or the outcome client points at FreeSWITCH\'s Event Socket, not another service',
  },
  BUFFER_BUDGET_EXCEEDED: {
    template: 'sessions buffer more than %s bytes in all', exit: null, http: null,
    protocol: 'FastAGI and Event Socket: the bytes all sessions hold of messages not yet complete went over 16 MiB; the session holding the most closes with its listener\'s log line (`agi-session-error`, `esl-session-error`); the process and the other sessions go on',
    action: 'find the peer sending endless environment or header blocks (the log line names the session); real PBXs stay far below',
  },
  INVALID_JSON: { template: 'malformed JSON body: %s', exit: null, http: 400, action: 'send a JSON object with Content-Type: application/json' },
  INVALID_FIELD: { template: '%s', exit: null, http: 400, action: 'fix the field named in `field`' },
  UNSUPPORTED_MEDIA_TYPE: { template: 'Content-Type must be application/json', exit: null, http: 415, action: 'send Content-Type: application/json' },
  BODY_TOO_LARGE: { template: 'the body is larger than http.bodyLimitBytes', exit: null, http: 413, action: 'send smaller bodies or raise `http.bodyLimitBytes`' },
  REQUEST_TIMEOUT: { template: 'request not received within %s', exit: null, http: 408, action: 'send the whole request within 10 s' },
  UNAUTHORIZED: { template: '%s', exit: null, http: 401, action: 'send `Authorization: Bearer <token>` (CIDGATE_HTTP_TOKEN or `http.tokenFile`)' },
  FORBIDDEN: { template: '%s', exit: null, http: 403, action: 'add the client\'s address to `http.allow`' },
  RATE_LIMITED: { template: '%s', exit: null, http: 429, action: 'slow down or raise `http.rateLimitPerSecond`' },
  NOT_FOUND: { template: '%s', exit: null, http: 404, action: 'check the URL against GET /v1/openapi.json' },
  UNKNOWN_CAMPAIGN: { template: 'unknown campaign "%s"', exit: null, http: 400, action: 'use a campaign defined in the config' },
  ATTEMPT_NOT_FOUND: { template: '%s', exit: null, http: 404, action: 'send the attemptId the decision returned' },
  DECISION_TIME_NOT_ALLOWED: { template: '%s', exit: null, http: 400, action: 'omit `at` (decisions are taken now) unless the server allows it' },
  RELOAD_FAILED: { template: 'reload refused: %s', exit: null, http: 422, action: 'fix the config (`cidgate config check`); the running one stays in force' },
  INTERNAL_ERROR: { template: 'internal error', exit: 1, http: 500, action: 'a bug: report it with the log line (its stack is logged)' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class CidgateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CidgateError';
  }

  /** The CLI's exit status for this error. */
  get exitStatus(): number {
    return ERRORS[this.code].exit ?? 1;
  }
}

/** The catalogue code of anything thrown, for logs: an error outside the catalogue is a bug. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof CidgateError ? err.code : 'INTERNAL_ERROR';
}
