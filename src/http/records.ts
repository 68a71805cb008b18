import { z } from 'zod';
import { parseInstant } from '../cli/context.js';
import { errorMessage } from '../errors.js';
import { parsePhone } from '../numbers/phone.js';
import { HttpError, parseWith } from './errors.js';
import type { RoutePlugin } from './plugin.js';

const number = z.string().min(1).max(64);
const pastInstant = z.string().max(64).optional().describe('ISO instant it happened (default: now); never in the future');

export const refusalInputSchema = z.strictObject({
  number, campaign: z.string().min(1).max(64).optional(), at: pastInstant,
});
export const consentInputSchema = z.strictObject({
  number, source: z.string().min(1).max(200).optional().describe('where the consent comes from (form, proof reference)'),
  anytime: z.boolean().optional().describe('also consented to calls outside the legal hours'), at: pastInstant,
});
export const doNotCallInputSchema = z.strictObject({
  numbers: z.array(number).min(1).max(10_000), source: z.string().min(1).max(200).optional(), at: pastInstant,
});

export const recordedResponseSchema = z.object({ number: z.string().describe('E.164'), recorded: z.boolean() });
export const doNotCallResponseSchema = z.object({ added: z.number().int().describe('numbers not already on the list') });

function e164(text: string, field: string): string {
  const phone = parsePhone(text);
  if (!phone) throw new HttpError('INVALID_FIELD', [errorMessage('BAD_NUMBER', [field, text.slice(0, 64)])], field);
  return phone.e164;
}

function instant(text: string | undefined, now: Date, timeZone: string): Date {
  if (text === undefined) return now;
  let at: Date;
  try {
    at = parseInstant(text, 'at', timeZone);
  } catch (err) {
    throw new HttpError('INVALID_FIELD', [(err as Error).message], 'at');
  }
  if (at.getTime() > now.getTime() + 60_000) throw new HttpError('INVALID_FIELD', ['at: in the future'], 'at');
  return at;
}

/** Refusals, consents and the do-not-call list: what the CLI's `refuse`, `consent` and `dnc` record. */
export const recordRoutes: RoutePlugin = (app, { gateway }) => {
  app.post('/v1/refusals', async (req) => {
    const input = parseWith(refusalInputSchema, req.body);
    const n = e164(input.number, 'number');
    await gateway.store.addRefusal(n, instant(input.at, new Date(), gateway.config.site.siteTimeZone), input.campaign ?? null);
    return { number: n, recorded: true };
  });

  app.post('/v1/consents', async (req) => {
    const input = parseWith(consentInputSchema, req.body);
    const n = e164(input.number, 'number');
    await gateway.store.addConsents([{ number: n, at: instant(input.at, new Date(), gateway.config.site.siteTimeZone), source: input.source ?? null, anytime: input.anytime === true }]);
    return { number: n, recorded: true };
  });

  app.delete<{ Params: { number: string } }>('/v1/consents/:number', async (req) => {
    const n = e164(req.params.number, 'number');
    return { number: n, recorded: await gateway.store.revokeConsent(n, new Date()) };
  });

  app.post('/v1/do-not-call', async (req) => {
    const input = parseWith(doNotCallInputSchema, req.body);
    const numbers = input.numbers.map((n, i) => e164(n, `numbers.${i}`));
    const at = instant(input.at, new Date(), gateway.config.site.siteTimeZone);
    return { added: await gateway.store.addDoNotCall(numbers, at, input.source ?? 'http') };
  });
};
