// Invoices as cards (amount, due date and status always visible), each with how to pay or why nothing is owed.
import type { PayableInvoice } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { InvoiceStatus } from './InvoiceStatus.tsx';
import { PaymentDetails } from './PaymentDetails.tsx';
import { useText } from './i18n/language.tsx';
import { ShopHeading } from './ShopHeading.tsx';

export function Invoices({ onUnauthorized }: PageProps) {
  const { text, money, date, failure } = useText();
  const { data, error } = useApi<{ data: PayableInvoice[] }>('/v1/me/invoices', onUnauthorized);
  if (error) return <p role="alert">{failure(error)}</p>;
  if (!data) return <p>{text('common.loading')}</p>;
  if (data.data.length === 0) return <p>{text('invoices.empty')}</p>;
  return (
    <ul className="cards">
      {data.data.map((invoice) => {
        const noDueDate = invoice.status === 'paused' || invoice.status === 'written_off';
        return (
          <li key={invoice.id} className="card invoice" data-invoice={invoice.id}>
            <div className="row">
              <ShopHeading merchant={invoice.merchant} amount={invoice.amount} />
              <InvoiceStatus invoice={invoice} />
            </div>
            <dl className="facts">
              <div>
                <dt>{text('invoice.amount')}</dt>
                <dd>
                  {invoice.fees.value > 0
                    ? text('invoice.amountWithFee', { amount: money(invoice.amount), fee: money(invoice.fees) })
                    : money(invoice.amount)}
                </dd>
              </div>
              <div>
                <dt>{text('invoice.due')}</dt>
                <dd>{noDueDate ? text('invoice.notDue') : date(invoice.due_at)}</dd>
              </div>
              <div>
                <dt>{text('invoice.outstanding')}</dt>
                <dd>
                  {invoice.refund.value > 0
                    ? text('invoice.refunded', {
                        outstanding: money(invoice.outstanding),
                        refund: money(invoice.refund),
                      })
                    : money(invoice.outstanding)}
                </dd>
              </div>
            </dl>
            {invoice.status === 'paused' && (
              <p className="notice paused" data-paused>
                {text('invoice.paused')}
              </p>
            )}
            {invoice.payment && <PaymentDetails payment={invoice.payment} />}
          </li>
        );
      })}
    </ul>
  );
}
