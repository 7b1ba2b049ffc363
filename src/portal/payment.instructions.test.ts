// Payment instructions: shown only while something is owed, with the invoice id as reference and a valid EPC QR text.
import { describe, expect, it } from 'vitest';
import type { InvoiceView } from '../invoicing/invoice.presenter.ts';
import { epcQrText, paymentInstructions } from './payment.instructions.ts';

const euro = (value: number) => ({ value, currency: 'EUR' });
const invoice = (overrides: Partial<InvoiceView> = {}): InvoiceView => ({
  id: 'inv_01abc',
  order_id: 'ord_1',
  status: 'open',
  amount: euro(93900),
  fees: euro(0),
  paid: euro(0),
  outstanding: euro(93900),
  refund: euro(0),
  due_at: '2026-11-16T10:00:00.000Z',
  created_at: '2026-11-02T10:00:00.000Z',
  ...overrides,
});
const settings = {
  iban: 'NL91ABNA0417164300',
  accountHolder: 'Rearguard Payments',
  payLinkTemplate: 'https://pay.example/{reference}?amount={amount}',
};

describe('paymentInstructions', () => {
  it('gives the bank details, the invoice id as reference, a pay link and an EPC QR text', () => {
    expect(paymentInstructions(invoice(), settings)).toEqual({
      amount: euro(93900),
      due_at: '2026-11-16T10:00:00.000Z',
      iban: 'NL91ABNA0417164300',
      account_holder: 'Rearguard Payments',
      reference: 'inv_01abc',
      pay_url: 'https://pay.example/inv_01abc?amount=939.00',
      epc_qr: 'BCD\n002\n1\nSCT\n\nRearguard Payments\nNL91ABNA0417164300\nEUR939.00\n\n\ninv_01abc',
    });
  });

  it('asks for nothing while a claim pauses the invoice or once it is paid', () => {
    expect(paymentInstructions(invoice({ status: 'paused', outstanding: euro(0) }), settings)).toBeNull();
    expect(paymentInstructions(invoice({ status: 'paid', outstanding: euro(0) }), settings)).toBeNull();
  });

  it('leaves out what the provider does not have: no pay link, no IBAN, no QR outside the euro', () => {
    const withoutLink = paymentInstructions(invoice(), { ...settings, payLinkTemplate: undefined });
    expect(withoutLink).toMatchObject({ pay_url: null, iban: 'NL91ABNA0417164300' });
    expect(paymentInstructions(invoice(), { ...settings, iban: undefined })).toMatchObject({
      iban: null,
      epc_qr: null,
      pay_url: expect.any(String),
    });
    const pounds = invoice({ outstanding: { value: 500, currency: 'GBP' } });
    expect(paymentInstructions(pounds, settings)?.epc_qr).toBeNull();
    expect(paymentInstructions(invoice(), { ...settings, iban: undefined, payLinkTemplate: undefined })).toBeNull();
  });

  it('cuts the beneficiary name and remittance text to the lengths the EPC standard allows', () => {
    const lines = epcQrText({
      accountHolder: 'x'.repeat(90),
      iban: 'NL91ABNA0417164300',
      euroCents: 1,
      reference: 'r'.repeat(200),
    }).split('\n');
    expect(lines[5]).toHaveLength(70);
    expect(lines[7]).toBe('EUR0.01');
    expect(lines[10]).toHaveLength(140);
  });
});
