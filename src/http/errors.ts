import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CidgateError, ERRORS, errorMessage, type ErrorCode, type Raise } from '../errors.js';
import type { Logger } from '../log.js';
import { firstIssue } from '../service/call-input.js';

/** The catalogue codes the HTTP API answers with (body `{ error: { code, message, field? } }`). */
export type HttpErrorCode = Extract<ErrorCode,
  | 'INVALID_JSON' | 'INVALID_FIELD' | 'UNSUPPORTED_MEDIA_TYPE' | 'BODY_TOO_LARGE' | 'REQUEST_TIMEOUT' | 'UNAUTHORIZED'
  | 'FORBIDDEN' | 'RATE_LIMITED' | 'NOT_FOUND' | 'UNKNOWN_CAMPAIGN' | 'ATTEMPT_NOT_FOUND' | 'DECISION_TIME_NOT_ALLOWED'
  | 'RELOAD_FAILED' | 'INTERNAL_ERROR'>;

export class HttpError extends Error {
  readonly code: HttpErrorCode;
  /** The status comes from the catalogue, so one code always answers with one status. */
  readonly status: number;
  readonly field?: string;

  /** `new HttpError('RATE_LIMITED', [perSecond])`: the message is the code's template, filled, like a CidgateError's. */
  constructor(...[code, args, field]: [...Raise<HttpErrorCode>, field?: string]) {
    super(errorMessage(code, args as never));
    this.code = code;
    this.status = ERRORS[code].http;
    if (field !== undefined) this.field = field;
  }

  body(): { error: { code: HttpErrorCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Parses a body (or params) with its schema; a wrong field is a 400 naming it. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
    if (data === undefined) throw new HttpError('INVALID_JSON', ['no body (a JSON object is required, with Content-Type: application/json)']);
    throw new HttpError('INVALID_FIELD', ['the body must be a JSON object']);
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const { field, message } = firstIssue(parsed.error);
  throw new HttpError('INVALID_FIELD', [message], field);
}

/** Fastify's own errors (body parsing, limits) mapped to the API's codes. */
function fromFastify(err: FastifyError): HttpError {
  const status = err.statusCode ?? 500;
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new HttpError('UNSUPPORTED_MEDIA_TYPE', []);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return new HttpError('BODY_TOO_LARGE', []);
  if (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError) return new HttpError('INVALID_JSON', [`JSON body: ${err.message}`]);
  if (status === 400) return new HttpError('INVALID_FIELD', [err.message]);
  return new HttpError('INTERNAL_ERROR', []);
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof CidgateError && (err.code === 'BAD_NUMBER' || err.code === 'BAD_OPTION' || err.code === 'BAD_INPUT')) {
    return new HttpError('INVALID_FIELD', [err.message], typeof err.context.field === 'string' ? err.context.field : undefined);
  }
  if (typeof (err as FastifyError).code === 'string' && (err as FastifyError).code.startsWith('FST_')) return fromFastify(err as FastifyError);
  if (err instanceof SyntaxError) return fromFastify(err as unknown as FastifyError);
  return new HttpError('INTERNAL_ERROR', []);
}

/** Every error answers with the stable body and one log line; a 5xx logs its cause. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toHttpError(err);
    const line = { event: 'http-error', status: e.status, code: e.code, method: req.method, url: req.url.slice(0, 200), peer: req.socket.remoteAddress };
    if (e.status >= 500) log.error({ ...line, err: { message: (err as Error).message, stack: (err as Error).stack } }, 'HTTP request failed');
    else log.warn({ ...line, message: e.message }, 'HTTP request refused');
    void reply.status(e.status).send(e.body());
  };
}
