// The export as a readable, printable page in the person's language: the same document as GET /v1/me/export.
import { formatDateTime, formatMoney, type Language } from '../i18n/format.ts';
import { catalogues, translate, type MessageKey } from '../i18n/translate.ts';
import { escapeHtml } from '../notify/html.page.ts';
import type { ExportDocument } from './export.service.ts';

type Row = Record<string, unknown>;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Sections shown as tables, in the document's order; decisions, purchases and invoices get their own layout. */
const tableSections = [
  'channels',
  'passkeys',
  'sign_ins',
  'portal_sessions',
  'proofs',
  'bank_identity',
  'claims',
  'cases',
  'order_notices',
  'messages_sent',
  'devices',
  'addresses',
  'disowned',
] as const;

export function exportPage(document: ExportDocument, language: Language): string {
  const write = (key: MessageKey, values?: Record<string, string | number>) =>
    escapeHtml(translate(language, key, values));
  const has = (key: string): key is MessageKey => Object.hasOwn(catalogues[language], key);
  // A field or value the catalogue names is shown in words; anything else (ids, codes) as it is.
  const label = (field: string) =>
    has(`export.field.${field}`) ? write(`export.field.${field}` as MessageKey) : escapeHtml(field);
  const value = (field: string, raw: unknown): string => {
    if (raw === null || raw === undefined || raw === '') return '—';
    if (typeof raw === 'boolean') return write(raw ? 'export.yes' : 'export.no');
    if (typeof raw === 'string' && isoPattern.test(raw)) return escapeHtml(formatDateTime(raw, language));
    if (typeof raw === 'object' && raw !== null && 'value' in raw && 'currency' in raw) {
      const money = raw as { value: number; currency: string };
      return escapeHtml(formatMoney(money.value, money.currency, language));
    }
    if (typeof raw === 'string' && has(`export.value.${field}.${raw}`)) {
      return write(`export.value.${field}.${raw}` as MessageKey);
    }
    if (Array.isArray(raw)) return raw.map((item) => value(field, item)).join(', ');
    if (typeof raw === 'object') {
      return Object.entries(raw as Row)
        .filter(([, inner]) => inner !== null && inner !== undefined && typeof inner !== 'object')
        .map(([key, inner]) => `${label(key)}: ${value(key, inner)}`)
        .join('; ');
    }
    return escapeHtml(String(raw));
  };
  // A wide table scrolls inside its own box, which keyboard users reach by Tab (tabindex) and screen readers by name.
  const table = (key: string, rows: readonly Row[]) => {
    if (rows.length === 0) return `<p>${write('export.none')}</p>`;
    const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return `<div class="scroll" tabindex="0" role="region" aria-labelledby="section-${key}"><table><thead><tr>${fields.map((field) => `<th scope="col">${label(field)}</th>`).join('')}</tr></thead>
      <tbody>${rows.map((row) => `<tr>${fields.map((field) => `<td>${value(field, row[field])}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
  };
  const section = (key: string, body: string) =>
    `<section aria-labelledby="section-${key}"><h2 id="section-${key}">${write(`export.section.${key}` as MessageKey)}</h2>${body}</section>`;
  const account = document.account as Row;
  const decisions = document.decisions.map((decision) => {
    const reasons = decision.reasons
      .map(
        (reason) =>
          `<li>${escapeHtml(reason.text)}${
            reason.what_would_change
              ? `<br><span class="change"><strong>${write('export.wouldChange')}</strong> ${escapeHtml(reason.what_would_change)}</span>`
              : ''
          }</li>`,
      )
      .join('');
    const review = decision.review
      ? `<p>${write(decision.review.answer ? `export.review.${decision.review.answer}` : 'export.review.open', {
          date: formatDateTime(decision.review.requested_at, language),
        })}</p>`
      : '';
    return `<article data-decision="${escapeHtml(decision.id)}"><h3>${write('export.decision.heading', {
      outcome: has(`export.value.outcome.${decision.outcome}`)
        ? translate(language, `export.value.outcome.${decision.outcome}` as MessageKey)
        : decision.outcome,
      merchant: decision.merchant ?? translate(language, 'page.theShop'),
      amount: formatMoney(decision.amount.value, decision.amount.currency, language),
      date: formatDateTime(decision.decided_at, language),
    })}</h3>${reasons ? `<p>${write('export.decision.because')}</p><ul>${reasons}</ul>` : ''}${review}</article>`;
  });
  const purchases = document.purchases.map((purchase) => ({
    merchant: purchase.merchant,
    amount: purchase.amount,
    placed_at: purchase.placed_at,
    items: purchase.items,
    delivery_address: purchase.delivery_address,
    status: purchase.status,
  }));
  const invoices = document.invoices.map((invoice) => ({
    merchant: invoice.merchant,
    amount: invoice.amount,
    due_at: invoice.due_at,
    status: invoice.status,
  }));
  const body = `<h1>${write('export.title')}</h1>
    <p>${write('export.intro', { date: formatDateTime(document.generated_at, language) })}</p>
    <p class="no-print"><a href="/v1/me/export" download="rearguard-export.json">${write('export.downloadJson')}</a> ·
      ${write('export.printHint')}</p>
    ${section('account', table('account', [account]))}
    ${section('decisions', decisions.length > 0 ? decisions.join('') : `<p>${write('export.none')}</p>`)}
    ${section('purchases', table('purchases', purchases))}
    ${section('invoices', table('invoices', invoices))}
    ${tableSections.map((key) => section(key, table(key, document[key] as readonly Row[]))).join('')}
    ${section('notIncluded', `<ul><li>${write('export.notIncluded.secrets')}</li><li>${write('export.notIncluded.signals')}</li></ul>`)}`;
  return body;
}

/** Page styles: tables scroll inside their box on a phone, and print without the links meant for the screen. */
export const exportPageStyle = `table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto;max-width:100%}
section{margin:1.5rem 0}
.change{color:#333}
@media print{.no-print,footer{display:none}.scroll{overflow:visible}body{max-width:none;margin:0}}`;
