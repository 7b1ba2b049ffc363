// Purchases made in the consumer's name, with the invoice's state and "I did not order this" (confirmed first).
import { useState } from 'react';
import { api, type Purchase } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { InvoiceStatus } from './InvoiceStatus.tsx';
import { ClaimDialog } from './ClaimDialog.tsx';
import { ClaimProgress } from './ClaimProgress.tsx';
import { useText } from './i18n/language.tsx';
import { ShopHeading } from './ShopHeading.tsx';

const reportKinds = ['not_mine', 'not_received', 'returned'] as const;
type ReportKind = (typeof reportKinds)[number];

export function Purchases({ onUnauthorized }: PageProps) {
  const { text, textOf, money, date, failure } = useText();
  const { data, error, reload } = useApi<{ data: Purchase[] }>('/v1/me/purchases', onUnauthorized);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Purchase | null>(null);

  async function report(purchase: Purchase, kind: ReportKind) {
    setConfirming(null);
    try {
      const filed = await api<{ invoice: { status: string } | null }>('POST', '/v1/me/claims', {
        order_id: purchase.id,
        kind,
      });
      setNotice(filed.invoice?.status === 'paused' ? text('claim.filed.paused') : text('claim.filed'));
      await reload();
    } catch (caught) {
      setNotice(failure(caught));
    }
  }

  if (error) return <p role="alert">{failure(error)}</p>;
  if (!data) return <p>{text('common.loading')}</p>;
  if (data.data.length === 0) return <p>{text('purchases.empty')}</p>;
  const merchantOf = (purchase: Purchase) => purchase.merchant ?? text('common.aShop');
  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {confirming && (
        <ClaimDialog
          merchant={merchantOf(confirming)}
          amount={money(confirming.amount)}
          onConfirm={() => void report(confirming, 'not_mine')}
          onCancel={() => setConfirming(null)}
        />
      )}
      <ul className="cards">
        {data.data.map((purchase) => (
          <li key={purchase.id} className="card" data-order={purchase.id}>
            <div className="row">
              <ShopHeading merchant={purchase.merchant} amount={purchase.amount} />
              {purchase.invoice && <InvoiceStatus invoice={purchase.invoice} />}
            </div>
            <p>{text('purchase.placed', { date: date(purchase.placed_at) })}</p>
            {purchase.items.length > 0 && <p className="items">{purchase.items.join(', ')}</p>}
            {/* Only what the merchant and the carrier reported: never "delivered" before a carrier says so. */}
            <p className="delivery" data-delivery={purchase.delivery.state}>
              {purchase.delivery.updated_at
                ? text('delivery.updated', {
                    state: text(`delivery.${purchase.delivery.state}`),
                    date: date(purchase.delivery.updated_at),
                  })
                : text(`delivery.${purchase.delivery.state}`)}
            </p>
            {purchase.delivery_address && <p>{text('delivery.address', { address: purchase.delivery_address })}</p>}
            {purchase.delivery.shipments.map((shipment) => (
              <p key={shipment.tracking_number} className="shipment">
                {text('shipment.line', {
                  carrier: shipment.carrier,
                  trackingNumber: shipment.tracking_number,
                  status: textOf(`shipment.status.${shipment.status}`, 'delivery.shipped'),
                })}
              </p>
            ))}
            {purchase.claims.map((claim) => (
              <ClaimProgress key={claim.kind} claim={claim} invoice={purchase.invoice} />
            ))}
            {purchase.claims.length === 0 && (
              <div className="actions">
                {reportKinds.map((kind) => (
                  <button
                    key={kind}
                    type="button"
                    className={kind === 'not_mine' ? 'danger' : 'secondary'}
                    onClick={() => (kind === 'not_mine' ? setConfirming(purchase) : void report(purchase, kind))}
                  >
                    {text(`report.${kind}`)}
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
