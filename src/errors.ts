/**
 * The error catalogue (after fastify's lib/errors.js): every error cidgate raises or answers with has
 * a stable code listed here, with its message template, the CLI exit status or HTTP status it
 * produces, where it sits in a protocol when it is a protocol error, and what to do about it. The
 * the error table of docs/errors.md is checked against this list (test/errors/catalogue.test.ts).
 */
interface ErrorSpec {
  /** The message: every raise gives one value per `%s`, filled in order (`errorMessage`). */
  readonly template: string;
  /** CLI exit status when the error ends a command (null: never ends one). */
  readonly exit: number | null;
  /** HTTP status when the API answers with it (null: never an HTTP answer). */
  readonly http: number | null;
  /** For protocol errors: where in the protocol it is raised and what becomes of the session. */
  readonly protocol?: string;
  /** For errors only logged (never ending a command or a request): the log lines and what becomes of the work. */
  readonly logged?: string;
  /** What the operator should do. */
  readonly action: string;
}

export const ERRORS = {
  CONFIG_INVALID: { template: '%s: %s', exit: 2, http: null, action: 'run `cidgate config check FILE` and fix each key it names' },
  CONFIG_UNREADABLE: { template: 'cannot read config %s: %s', exit: 2, http: null, action: 'check the path and the file\'s permissions' },
  BAD_OPTION: { template: '%s: %s', exit: 2, http: 400, action: 'fix the option named (see `cidgate COMMAND --help`)' },
  BAD_NUMBER: { template: '%s: "%s" is not a valid telephone number', exit: 2, http: 400, action: 'give a French number (0X XX XX XX XX) or E.164 (+33…)' },
  BAD_INPUT: { template: '%s: %s', exit: 2, http: 400, action: 'fix the file or line named (a batch or CSV row, a missing file)' },
  UNKNOWN_CAMPAIGN: { template: 'campaign %s (campaigns: %s; defaultCampaign: %s)', exit: 2, http: 400, action: 'use a campaign defined in the config, or set `defaultCampaign`' },
  STORE_ERROR: { template: 'database %s: %s', exit: 2, http: null, action: 'check the database (disk, permissions, server up); decisions meanwhile follow `onStoreError`' },
  STORE_TIMEOUT: { template: 'no answer from PostgreSQL within %s ms', exit: 2, http: null, action: 'check the database\'s load and `database` settings; decisions meanwhile follow `onStoreError`' },
  STORE_READ_ONLY: { template: 'database %s is not writable: %s', exit: 2, http: null, action: 'give the service user write access to the file and its directory' },
  STORE_DISK_FULL: { template: 'database %s: disk full', exit: 2, http: null, action: 'free space on the database\'s filesystem: recording resumes by itself (calls follow `onStoreError` meanwhile); the log line `disk-full-ended` says when' },
  STORE_REPLACED: { template: 'database file %s was %s while open: nothing more is recorded until a restart', exit: 2, http: null, action: 'restart cidgate: it reopens the file at the path and replays the journal into it; find what replaced the file' },
  JOURNAL_FAILED: {
    template: 'journal %s: %s', exit: null, http: null,
    logged: 'the store outage journal: full (64 MiB) or its disk refusing writes; the entries are dropped and counted (`journalDropped` in the health), one log line per spell (`journal-full`, `journal-write-failed`, `journal-sync-failed`)',
    action: 'bring the database back (the journal empties into it) and free space on the journal\'s disk (`store.journal` can put it on another)',
  },
  CLOCK_SKEW: {
    template: 'clock %s ms off the database\'s', exit: null, http: null,
    logged: 'a node on PostgreSQL whose clock is further from the server\'s than `database.maxClockSkewMs` (`clock-skew`, once per spell; `clock-skew-ended` when back); readiness fails beyond ten times that. Decisions still take their instant from the server',
    action: 'fix the node\'s time synchronisation (chrony/NTP): its logs, a journaled decision\'s instant during an outage and the API\'s retryAfterSeconds follow its clock',
  },
  COPY_COUNT_MISMATCH: { template: 'counts differ after the copy (%s): the target held other rows, or some were refused', exit: 3, http: null, action: 'copy into an empty database, or find the rows the target holds besides the copied ones (the copy is idempotent: run it again once fixed)' },
  STORE_SCHEMA_OUTDATED: { template: 'database %s is at schema version %s; this cidgate needs %s', exit: 2, http: null, action: 'run `cidgate db migrate` against the database (or start `serve` without --no-migrate), then start again' },
  LISTEN_FAILED: { template: '%s: cannot listen on %s: %s', exit: 2, http: null, action: 'free the port or change the listener\'s address in the config' },
  ERASE_NOT_CONFIRMED: { template: 'erasing %s cannot be undone: export it first (cidgate privacy export), then add --yes', exit: 2, http: null, action: 'export first (`cidgate privacy export NUMBER`), then run the erase again with --yes' },
  CHROMIUM_NOT_FOUND: { template: '--format pdf needs Chromium, not found at %s: install it (apt-get install chromium) or set CIDGATE_CHROMIUM; --format html gives the same report, printable from any browser', exit: 2, http: null, action: 'install chromium or set CIDGATE_CHROMIUM to its path' },
  AGI_PROTOCOL_ERROR: {
    template: 'FastAGI: %s', exit: null, http: null,
    protocol: 'FastAGI: the environment block, a command\'s answer, or the socket (over-long line, NUL byte, idle timeout, close); that session closes with a log line `agi-session-error` (CIDGATE_* variables unset, the dialplan goes on after AGI()); other sessions are not disturbed',
    action: 'check that the dialplan calls AGI(agi://…) on cidgate\'s FastAGI port, not an Event Socket or HTTP client',
  },
  ESL_PROTOCOL_ERROR: {
    template: 'Event Socket: %s', exit: null, http: null,
    protocol: 'Event Socket: a header block, Content-Length or reply framing, or the socket (idle timeout, close); that connection closes with a log line (`esl-session-error` for an outbound session; the outcome client reconnects with backoff)',
    action: 'check that the `socket` application or the outcome client points at FreeSWITCH\'s Event Socket, not another service',
  },
  EVAPI_PROTOCOL_ERROR: {
    template: 'Kamailio evapi: %s', exit: null, http: null,
    protocol: 'Kamailio evapi: a netstring frame (bad length, missing comma, over `kamailio.evapi.maxMessageBytes`) or a message that is not JSON, has an unknown type or lacks its fields; logged (`evapi-protocol-error`); a request that carries an id is answered fail-closed (Kamailio refuses the call with 503), a broken frame closes the connection, which reconnects with backoff',
    action: 'check that `kamailio.evapi.endpoints` point at Kamailio\'s evapi socket and that Kamailio runs the shipped cidgate.cfg',
  },
  PEER_CONNECTION_FAILED: {
    template: '%s: cannot connect to %s: %s', exit: null, http: null,
    logged: 'the connections cidgate opens (AMI, the Event Socket outcome client, drachtio-server): refused, dropped, or a handshake or login that failed; logged (`ami-error`, `ami-login-failed`, `esl-inbound-error`, `esl-auth-failed`, `drachtio-error`) and retried with backoff; decisions go on, outcomes from that PBX wait',
    action: 'check the host, port and credentials under `asterisk.ami`, `freeswitch.inbound` or `sip`, and that the server runs',
  },
  BUFFER_BUDGET_EXCEEDED: {
    template: 'sessions buffer more than %s bytes in all: this one held the most (%s bytes)', exit: null, http: null,
    protocol: 'FastAGI and Event Socket: the bytes all sessions hold of messages not yet complete went over 16 MiB; the session holding the most closes with its listener\'s log line (`agi-session-error`, `esl-session-error`); the process and the other sessions go on',
    action: 'find the peer sending endless environment or header blocks (the log line names the session); real PBXs stay far below',
  },
  INVALID_JSON: { template: 'malformed request: %s', exit: null, http: 400, action: 'send a JSON object with Content-Type: application/json' },
  INVALID_FIELD: { template: '%s', exit: null, http: 400, action: 'fix the field named in `field`' },
  UNSUPPORTED_MEDIA_TYPE: { template: 'Content-Type must be application/json', exit: null, http: 415, action: 'send Content-Type: application/json' },
  BODY_TOO_LARGE: { template: 'the body is larger than http.bodyLimitBytes', exit: null, http: 413, action: 'send smaller bodies or raise `http.bodyLimitBytes`' },
  REQUEST_TIMEOUT: { template: 'the request did not arrive within %s s', exit: null, http: 408, action: 'send the whole request within 10 s' },
  UNAUTHORIZED: { template: 'a valid Authorization: Bearer token is required', exit: null, http: 401, action: 'send `Authorization: Bearer <token>` (CIDGATE_HTTP_TOKEN or `http.tokenFile`)' },
  FORBIDDEN: { template: 'this address is not in http.allow', exit: null, http: 403, action: 'add the client\'s address to `http.allow`' },
  RATE_LIMITED: { template: 'more than %s requests per second from this address', exit: null, http: 429, action: 'slow down or raise `http.rateLimitPerSecond`' },
  NOT_FOUND: { template: 'no %s', exit: null, http: 404, action: 'check the URL against GET /v1/openapi.json' },
  ATTEMPT_NOT_FOUND: { template: 'no decision with this attemptId or key', exit: null, http: 404, action: 'send the attemptId the decision returned' },
  DECISION_TIME_NOT_ALLOWED: { template: 'at is accepted only with http.allowDecisionTime: true', exit: null, http: 400, action: 'omit `at` (decisions are taken now) unless the server allows it' },
  RELOAD_FAILED: { template: 'reload refused: %s', exit: null, http: 422, action: 'fix the config (`cidgate config check`); the running one stays in force' },
  INVALID_TRANSITION: {
    template: '%s while %s: ignored', exit: null, http: null,
    logged: 'an event the service\'s lifecycle does not take in its current state (a reload while starting or draining, a second SIGTERM); logged (`invalid-transition`, with the state and the event) and ignored: the service goes on as it was',
    action: 'nothing to fix: wait for the start to finish before reloading; a stop already under way ends by itself within its grace',
  },
  INTERNAL_ERROR: { template: 'internal error', exit: 1, http: 500, action: 'a bug: report it with the log line (its stack is logged)' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** One value per `%s` of a template, in order: counted by the compiler at every raise. */
type Fill<T extends string> = T extends `${string}%s${infer Rest}` ? [string | number, ...Fill<Rest>] : [];

/** The values a code's template takes. */
export type ErrorArgs<C extends ErrorCode> = Fill<(typeof ERRORS)[C]['template']>;

/** A code with its template's values, as a raise takes them (`[code, args]`, checked together). */
export type Raise<C extends ErrorCode = ErrorCode> = { [K in C]: [code: K, args: ErrorArgs<K>] }[C];

/** A code's message: its template with each `%s` filled in order. */
export function errorMessage<C extends ErrorCode>(code: C, args: ErrorArgs<C>): string {
  const values: readonly (string | number)[] = args;
  let next = 0;
  return ERRORS[code].template.replace(/%s/g, () => String(values[next++]));
}

export class CidgateError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  /** `new CidgateError('BAD_NUMBER', ['--to', text], { value: text })`: the message is the code's template, filled. */
  constructor(...[code, args, context = {}]: [...Raise, context?: Record<string, unknown>]) {
    super(errorMessage(code, args as never));
    this.code = code;
    this.context = context;
    this.name = 'CidgateError';
  }

  /** The CLI's exit status for this error. */
  get exitStatus(): number {
    return ERRORS[this.code].exit ?? 1;
  }

  /** The same error (code, message, stack) with more context: one failure told to several callers, each its own. */
  withContext(extra: Record<string, unknown>): CidgateError {
    const copy = Object.create(CidgateError.prototype) as CidgateError;
    Object.defineProperties(copy, {
      code: { value: this.code, enumerable: true },
      context: { value: { ...this.context, ...extra }, enumerable: true },
      name: { value: this.name, enumerable: true, writable: true },
      message: { value: this.message, writable: true },
      stack: { value: this.stack, writable: true },
    });
    return copy;
  }
}

/**
 * The catalogue code of anything thrown, for logs. An error outside the catalogue is a bug, unless
 * the caller knows better where it came from: a driver's error from the store is a STORE_ERROR.
 */
export function errorCode(err: unknown, outside: ErrorCode = 'INTERNAL_ERROR'): ErrorCode {
  return err instanceof CidgateError ? err.code : outside;
}
