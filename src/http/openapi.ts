import { z } from 'zod';
import { callInputSchema } from '../service/call-input.js';
import { decisionResponseSchema, outcomeInputSchema, outcomeResponseSchema } from './decisions.js';
import type { HttpErrorCode } from './errors.js';
import type { RoutePlugin } from './plugin.js';
import { consentInputSchema, doNotCallInputSchema, doNotCallResponseSchema, recordedResponseSchema, refusalInputSchema } from './records.js';

interface Operation {
  readonly method: 'get' | 'post' | 'delete';
  readonly path: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
  /** The 4xx/5xx codes this operation answers with, besides the ones every route may give. */
  readonly errors: readonly HttpErrorCode[];
}

/** The API, operation by operation: the OpenAPI document and docs/http-api.md are checked against it. */
export const OPERATIONS: readonly Operation[] = [
  { method: 'post', path: '/v1/decisions', summary: 'Decide a call (recorded as an attempt): may it go out, with which caller ID?', body: callInputSchema, response: decisionResponseSchema, errors: ['INVALID_FIELD', 'UNKNOWN_CAMPAIGN', 'DECISION_TIME_NOT_ALLOWED'] },
  { method: 'post', path: '/v1/outcomes', summary: 'Record how a decided call ended (once; by attemptId or key)', body: outcomeInputSchema, response: outcomeResponseSchema, errors: ['INVALID_FIELD', 'ATTEMPT_NOT_FOUND'] },
  { method: 'post', path: '/v1/refusals', summary: 'Record that the consumer refused during a call: no prospecting call for each campaign\'s refusal period (limits.refusalDays)', body: refusalInputSchema, response: recordedResponseSchema, errors: ['INVALID_FIELD'] },
  { method: 'post', path: '/v1/consents', summary: 'Record the consumer\'s prior consent', body: consentInputSchema, response: recordedResponseSchema, errors: ['INVALID_FIELD'] },
  { method: 'delete', path: '/v1/consents/{number}', summary: 'Revoke a consent (recorded: false when none was on record)', response: recordedResponseSchema, errors: ['INVALID_FIELD'] },
  { method: 'post', path: '/v1/do-not-call', summary: 'Add numbers to the do-not-call list', body: doNotCallInputSchema, response: doNotCallResponseSchema, errors: ['INVALID_FIELD'] },
  { method: 'post', path: '/v1/admin/reload', summary: 'Re-read the config (as SIGHUP does); the token is required when one is configured', errors: ['RELOAD_FAILED'] },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', errors: [] },
  { method: 'get', path: '/healthz', summary: 'The process is alive', errors: [] },
  { method: 'get', path: '/readyz', summary: 'Store reachable and every enabled adapter connected (503 with the details otherwise)', errors: [] },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format)', errors: [] },
  { method: 'get', path: '/', summary: 'The live dashboard (an HTML page for supervisors)', errors: [] },
  { method: 'get', path: '/dashboard.json', summary: 'What the dashboard shows, polled by it every 2 s (numbers masked)', errors: [] },
];

/** Codes any route may answer with. */
const COMMON_ERRORS: readonly HttpErrorCode[] = ['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE', 'REQUEST_TIMEOUT', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'NOT_FOUND', 'INTERNAL_ERROR'];

const errorSchema = z.object({
  error: z.object({ code: z.string().describe('stable SCREAMING_SNAKE code'), message: z.string(), field: z.string().optional().describe('the offending field') }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const codes = [...op.errors, ...COMMON_ERRORS].join(', ');
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(op.path.includes('{number}') ? { parameters: [{ name: 'number', in: 'path', required: true, schema: { type: 'string' } }] } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
      responses: {
        200: { description: 'OK', ...(op.response ? { content: { 'application/json': { schema: jsonSchema(op.response, 'output') } } } : {}) },
        default: { description: `Error; code one of: ${codes}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'cidgate HTTP API', version },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    components: {
      schemas: { Error: jsonSchema(errorSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required from any non-loopback peer (which must also be in http.allow)' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}

export const openApiRoutes: RoutePlugin = (app, { version }) => {
  const doc = openApiDocument(version);
  app.get('/v1/openapi.json', async () => doc);
};
