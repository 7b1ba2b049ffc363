// Purchases made in the consumer's name, with the invoice's state and a one-click "I did not order this".
import { useState } from 'react';
import { api, day, money, type Purchase } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { InvoiceStatus } from './Invoices.tsx';

const reportKinds = [
  { kind: 'not_mine', label: 'I did not order this' },
  { kind: 'not_received', label: 'I did not receive it' },
  { kind: 'returned', label: 'I returned it' },
] as const;

// Only what the merchant and the carrier reported: never "delivered" before a carrier says so.
const deliveryWords = {
  ordered: 'Ordered',
  shipped: 'Shipped',
  delivered: 'Delivered',
  returned: 'Returned to the shop',
} as const;

export function Purchases({ onUnauthorized }: PageProps) {
  const { data, error, reload } = useApi<{ data: Purchase[] }>('/v1/me/purchases', onUnauthorized);
  const [notice, setNotice] = useState<string | null>(null);

  async function report(purchase: Purchase, kind: (typeof reportKinds)[number]['kind']) {
    try {
      const filed = await api<{ invoice: { status: string } | null }>('POST', '/v1/me/claims', {
        order_id: purchase.id,
        kind,
      });
      setNotice(
        filed.invoice?.status === 'paused'
          ? 'Thank you. The invoice is paused: you do not have to pay while we look into it, and you never need a police report.'
          : 'Thank you. We are looking into it.',
      );
      await reload();
    } catch (failure) {
      setNotice((failure as Error).message);
    }
  }

  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p>Loading…</p>;
  if (data.data.length === 0) return <p>No purchases have been made in your name.</p>;
  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ul className="cards">
        {data.data.map((purchase) => (
          <li key={purchase.id} className="card" data-order={purchase.id}>
            <div className="row">
              <h2>
                {purchase.merchant ?? 'A shop'} · {money(purchase.amount)}
              </h2>
              {purchase.invoice && <InvoiceStatus invoice={purchase.invoice} />}
            </div>
            <p>
              {day(purchase.placed_at)}
              {purchase.items.length > 0 && ` · ${purchase.items.join(', ')}`}
            </p>
            <p className="delivery" data-delivery={purchase.delivery.state}>
              {deliveryWords[purchase.delivery.state]}
              {purchase.delivery.updated_at && ` (${day(purchase.delivery.updated_at)})`}
              {purchase.delivery_address &&
                ` · ${purchase.delivery.state === 'delivered' ? 'to' : 'for'} ${purchase.delivery_address}`}
            </p>
            {purchase.delivery.shipments.map((shipment) => (
              <p key={shipment.tracking_number} className="shipment">
                {shipment.carrier} {shipment.tracking_number}: {shipment.status.replaceAll('_', ' ')}
              </p>
            ))}
            {purchase.claims.map((claim) => (
              <p key={claim.kind} className="claim">
                {claim.text} — {claim.status === 'open' ? 'we are looking into it' : claim.status}
              </p>
            ))}
            {purchase.claims.length === 0 && (
              <div className="actions">
                {reportKinds.map((option) => (
                  <button
                    key={option.kind}
                    className={option.kind === 'not_mine' ? 'danger' : 'secondary'}
                    onClick={() => void report(purchase, option.kind)}
                  >
                    {option.label}
                  </button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
