// Invoices with their state, due date and what is still to pay; a paused one says in words that nothing is owed.
import { day, money, type Invoice } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';

const statusWords: Record<Invoice['status'], string> = {
  open: 'To pay',
  paid: 'Paid',
  paused: 'Paused — nothing to pay while we investigate',
  written_off: 'Cancelled — you do not pay this',
  refunded: 'Refunded — nothing to pay',
  unpaid: 'Overdue',
};

export function InvoiceStatus({ invoice }: { invoice: Invoice }) {
  return (
    <span className={`status status-${invoice.status}`} data-invoice-status={invoice.status}>
      {statusWords[invoice.status]}
    </span>
  );
}

export function Invoices({ onUnauthorized }: PageProps) {
  const { data, error } = useApi<{ data: Invoice[] }>('/v1/me/invoices', onUnauthorized);
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p>Loading…</p>;
  if (data.data.length === 0) return <p>You have no invoices.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Invoice</th>
          <th>Amount</th>
          <th>Due</th>
          <th>Still to pay</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {data.data.map((invoice) => (
          <tr key={invoice.id}>
            <td>{invoice.id}</td>
            <td>
              {money(invoice.amount)}
              {invoice.fees.value > 0 && ` + ${money(invoice.fees)} fee`}
            </td>
            <td>{invoice.status === 'paused' || invoice.status === 'written_off' ? '—' : day(invoice.due_at)}</td>
            <td>
              {money(invoice.outstanding)}
              {invoice.refund.value > 0 && ` (${money(invoice.refund)} refunded)`}
            </td>
            <td>
              <InvoiceStatus invoice={invoice} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
