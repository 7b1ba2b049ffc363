// The export page words a held-up purchase for the person: outcome, reasons, what would have changed it, the review.
import { describe, expect, it } from 'vitest';
import { exportPage } from './export.page.ts';
import { notInExport, type ExportDocument } from './export.service.ts';

// Typed as the service's own document, so the fixture follows the real shape: a section added there breaks this build.
const document: ExportDocument = {
  generated_at: '2026-07-01T12:00:00.000Z',
  account: {
    id: 'acc_1',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    phone: null,
    date_of_birth: null,
    address: null,
    language: 'nl',
    always_verify: false,
    created_at: '2026-01-01T09:00:00.000Z',
  },
  channels: [{ kind: 'email', value: 'anna@example.nl', verified_at: null, created_at: '2026-01-01T09:00:00.000Z' }],
  decisions: [
    {
      id: 'dec_1',
      outcome: 'step_up',
      summary: 'Step-up',
      merchant: 'Fietsenwinkel <Utrecht>',
      amount: { value: 93900, currency: 'EUR' },
      decided_at: '2026-06-30T08:00:00.000Z',
      reasons: [
        {
          code: 'unusual_amount',
          text: 'Dit bedrag is ongebruikelijk voor uw account. Bevestig dat u het bent.',
          what_would_change: 'Een aankoop dichter bij uw gebruikelijke bedragen, of bevestigen met een code.',
        },
      ],
      reviewable: false,
      review: {
        status: 'resolved',
        message: 'Ik was het zelf',
        requested_at: '2026-06-30T09:00:00.000Z',
        answer_due_at: '2026-07-02T09:00:00.000Z',
        answered_at: '2026-06-30T15:00:00.000Z',
        answer: 'decision_changed',
      },
    },
  ],
  passkeys: [],
  sign_ins: [],
  portal_sessions: [],
  proofs: [],
  bank_identity: [],
  purchases: [],
  invoices: [],
  claims: [],
  cases: [],
  order_notices: [],
  messages_sent: [],
  devices: [],
  addresses: [],
  disowned: [],
  not_included: notInExport,
};

describe('export page', () => {
  const html = exportPage(document, 'nl').replace(/[\u00a0\u202f]/g, ' ');

  it('says the outcome, why, and what would have changed it, in Dutch with Dutch formats', () => {
    expect(html).toContain('Bevestiging gevraagd: Fietsenwinkel &#60;Utrecht&#62;, € 939,00');
    expect(html).toContain('Dit bedrag is ongebruikelijk voor uw account.');
    expect(html).toContain(
      '<strong>Wat het anders had gemaakt:</strong> Een aankoop dichter bij uw gebruikelijke bedragen',
    );
    expect(html).toContain('de beslissing is aangepast');
    expect(html).not.toContain('<Utrecht>');
  });

  it('labels fields and values in words, and says plainly when a section is empty', () => {
    expect(html).toContain('<th scope="col">Waarde</th>');
    expect(html).toContain('<th scope="col">Bevestigd</th>');
    expect(html).toContain('<td>nee</td>');
    expect(html).toContain('Niets.');
    expect(html).not.toMatch(/>(created_at|verified_at|always_verify)</);
  });
});
