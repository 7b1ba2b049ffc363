// DEVELOPMENT ONLY (`rearguard start --demo`): a pretend payment service where you pick the account you pay from.
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { escapeHtml, htmlPage } from '../../notify/html.page.ts';
import { sameHash, signToken } from '../otp.codes.ts';
import type { PaymentReport, VerificationPaymentProvider } from './verification-payment.provider.ts';

export const developmentPayers: readonly { readonly name: string; readonly iban: string }[] = [
  { name: 'Anna de Vries', iban: 'NL91ABNA0417164300' },
  { name: 'Jan Jansen', iban: 'NL20INGB0001234567' },
  { name: 'Mallory Mulder', iban: 'NL69INGB0123456789' },
];

export function makeDevelopmentVerificationPayment(settings: { readonly publicUrl: string; readonly secret: string }) {
  const payments = new Map<string, { returnUrl: string; report: PaymentReport }>();
  let sequence = 0;
  const signatureFor = (paymentId: string, payer: number) =>
    signToken(settings.secret, 'demo-payment', `${paymentId}:${payer}`);

  const provider: VerificationPaymentProvider = {
    async create({ returnUrl }) {
      sequence += 1;
      const paymentId = `demo_pay_${sequence}_${signToken(settings.secret, 'demo-payment-id', String(Date.now())).slice(0, 8)}`;
      payments.set(paymentId, { returnUrl, report: { paymentId, state: 'open', payer: null } });
      return { paymentId, url: `${settings.publicUrl}/demo-payments/${paymentId}` };
    },
    async get(paymentId) {
      return payments.get(paymentId)?.report ?? { paymentId, state: 'failed', payer: null };
    },
    verifyCallback: () => null,
  };

  const params = z.object({ id: z.string().regex(/^demo_pay_[\w-]{1,60}$/) });
  const routes = [
    defineRoute({
      method: 'GET',
      url: '/demo-payments/:id',
      summary: 'DEVELOPMENT ONLY (--demo): pay one cent from a demo account',
      tags: ['development'],
      auth: 'none',
      params,
      responses: { 200: { description: 'HTML' }, 404: { description: 'Unknown payment' } },
      handler: async ({ params }) => {
        if (!payments.has(params.id))
          return {
            status: 404,
            contentType: 'text/html; charset=utf-8',
            body: htmlPage('Unknown', '<h1>Unknown payment</h1>'),
          };
        const links = developmentPayers
          .map(
            (payer, index) =>
              `<li><a id="demo-payer-${index}" href="/demo-payments/${params.id}/pay?payer=${index}&sig=${signatureFor(params.id, index)}">${escapeHtml(`${payer.name} (${payer.iban})`)}</a></li>`,
          )
          .join('');
        return {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'cache-control': 'no-store' },
          body: htmlPage(
            'Development payment service',
            `<h1>Development payment service — not real money</h1><p>Pay EUR 0.01 from:</p><ul>${links}</ul>`,
          ),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/demo-payments/:id/pay',
      summary: 'DEVELOPMENT ONLY (--demo): the demo payer paid; back to Rearguard',
      tags: ['development'],
      auth: 'none',
      params,
      query: z.object({ payer: z.coerce.number().int().min(0), sig: z.string().min(1) }),
      responses: { 303: { description: 'Back to the return URL' }, 404: { description: 'Unknown payment' } },
      handler: async ({ params, query }) => {
        const payment = payments.get(params.id);
        const payer = developmentPayers[query.payer];
        if (!payment || !payer || !sameHash(query.sig, signatureFor(params.id, query.payer)))
          return {
            status: 404,
            contentType: 'text/html; charset=utf-8',
            body: htmlPage('Unknown', '<h1>Unknown payment</h1>'),
          };
        if (payment.report.state === 'open') payment.report = { paymentId: params.id, state: 'paid', payer };
        return { status: 303, contentType: 'text/plain', headers: { location: payment.returnUrl }, body: '' };
      },
    }),
  ];
  return { provider, routes };
}
