// How to pay one invoice: amount, due date, IBAN, account holder, payment reference, the pay link and an EPC QR code.
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { PaymentInstructions } from './api.ts';
import { useText } from './i18n/language.tsx';

/** The EPC QR code as SVG markup, drawn in the browser from the text the server composed. */
function useQrSvg(content: string | null): string | null {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    if (!content) return;
    let current = true;
    // Level M is what the EPC guidelines ask for; a quiet zone of 4 modules keeps phone cameras happy.
    void QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then((markup) => {
      if (current) setSvg(markup);
    });
    return () => {
      current = false;
    };
  }, [content]);
  return svg;
}

export function PaymentDetails({ payment }: { payment: PaymentInstructions }) {
  const { text, money, date } = useText();
  const qr = useQrSvg(payment.epc_qr);
  const amount = money(payment.amount);
  return (
    <section className="payment" aria-labelledby={`pay-${payment.reference}`}>
      <h3 id={`pay-${payment.reference}`}>{text('pay.title')}</h3>
      <p>{text('pay.intro', { amount, date: date(payment.due_at) })}</p>
      <dl className="facts">
        {payment.iban && (
          <div>
            <dt>{text('pay.iban')}</dt>
            <dd className="iban" data-iban>
              {payment.iban.replace(/(.{4})(?=.)/g, '$1 ')}
            </dd>
          </div>
        )}
        <div>
          <dt>{text('pay.accountHolder')}</dt>
          <dd>{payment.account_holder}</dd>
        </div>
        <div>
          <dt>{text('pay.reference')}</dt>
          <dd data-reference>{payment.reference}</dd>
        </div>
      </dl>
      <p className="hint">{text('pay.referenceHint')}</p>
      {payment.pay_url && (
        <p>
          <a className="button" href={payment.pay_url} rel="noopener noreferrer">
            {text('pay.link', { amount })}
          </a>
        </p>
      )}
      {qr && payment.iban && (
        <figure className="qr">
          <div
            role="img"
            aria-label={text('pay.qrLabel', { amount, iban: payment.iban, reference: payment.reference })}
            data-epc-qr
            // The markup comes from the qrcode library (paths only), not from the server or the consumer.
            dangerouslySetInnerHTML={{ __html: qr }}
          />
          <figcaption>{text('pay.qr')}</figcaption>
        </figure>
      )}
    </section>
  );
}
