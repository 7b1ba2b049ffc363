// GET/PUT /v1/me/preferences: the signed-in consumer reads and sets the language of the portal and of messages.
import { z } from 'zod';
import { languages } from '../i18n/format.ts';
import { defineRoute, type Consumer } from '../http/route.ts';
import type { PreferencesService } from './preferences.service.ts';

const preferencesView = z.object({
  language: z.enum(languages).nullable(),
  effective_language: z.enum(languages),
});
const preferencesBody = z.object({
  // null: no choice, follow the browser's Accept-Language (else Dutch).
  language: z.enum(languages).nullable(),
});

const accountOf = (consumer: Consumer | null) => (consumer as Consumer).accountId;

export function preferencesRoutes(preferences: PreferencesService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/me/preferences',
      summary: 'The language the consumer chose (null: none) and the one they are spoken to in',
      tags: ['portal'],
      auth: 'consumer',
      responses: { 200: { description: 'Preferences', schema: preferencesView } },
      handler: async ({ consumer, request }) => ({
        status: 200,
        body: await preferences.read(accountOf(consumer), request.headers['accept-language']),
      }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/me/preferences',
      summary:
        'Choose the language of the portal, e-mails, text messages and letters (nl or en; null: follow the browser)',
      tags: ['portal'],
      auth: 'consumer',
      body: preferencesBody,
      responses: { 200: { description: 'Preferences', schema: preferencesView } },
      handler: async ({ consumer, body, request }) => ({
        status: 200,
        body: await preferences.update(accountOf(consumer), body.language, request.headers['accept-language']),
      }),
    }),
  ];
}
