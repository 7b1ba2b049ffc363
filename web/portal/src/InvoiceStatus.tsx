// An invoice's state as a badge in words; data-invoice-status keeps the machine value for tests and styling.
import type { Invoice } from './api.ts';
import { useText } from './i18n/language.tsx';

export function InvoiceStatus({ invoice }: { invoice: Invoice }) {
  const { text } = useText();
  return (
    <span className={`status status-${invoice.status}`} data-invoice-status={invoice.status}>
      {text(`invoice.status.${invoice.status}`)}
    </span>
  );
}
