// Demo data for `rearguard start --demo`: one merchant with a well-known key and a few customers with history.
import type { Application } from '../app.ts';
import type { Config } from '../config.ts';
import { sha256 } from '../shared/hashing.ts';

/** Printed at start; only for the demo merchant on a developer's machine. */
export const demoMerchantKey = 'rg_live_demo_0000000000000000000000000000';

/**
 * Bank details the demo portal shows under "how to pay": bank code TEST says it is not a real account (the checksum is
 * valid, so the portal and the EPC QR code behave as in production). Set PAYMENT_IBAN to use your own.
 */
export const demoPaymentAccount = { iban: 'NL13TEST0123456789', accountHolder: 'Rearguard Demo (geen echte rekening)' };

/** `start --demo` without PAYMENT_IBAN gets the demo account, so the demo portal shows how an invoice is paid. */
export function withDemoPaymentAccount(config: Config): Config {
  const transfer = config.invoicing.transfer;
  if (transfer.iban) return config;
  return { ...config, invoicing: { ...config.invoicing, transfer: { ...transfer, ...demoPaymentAccount } } };
}

const day = 86_400_000;

function demoHistory(now: number): string {
  const at = (daysAgo: number) => new Date(now - daysAgo * day).toISOString();
  const address = (street: string, houseNumber: string, postalCode: string, city: string) => ({
    street,
    house_number: houseNumber,
    postal_code: postalCode,
    city,
    country: 'NL',
  });
  const customers = [
    {
      id: 'demo-anna',
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      phone: '+31612345678',
      dob: '1985-03-02',
      address: address('Damrak', '1', '1012LG', 'Amsterdam'),
      device: 'dev-anna-laptop',
    },
    {
      id: 'demo-bram',
      name: 'Bram Jansen',
      email: 'bram.jansen@example.nl',
      phone: '+31623456789',
      dob: '1979-11-20',
      address: address('Oudegracht', '42', '3511AR', 'Utrecht'),
      device: 'dev-bram-phone',
    },
    {
      id: 'demo-chloe',
      name: 'Chloé Bakker',
      email: 'chloe@example.com',
      phone: '+31634567890',
      dob: '1992-06-15',
      address: address('Coolsingel', '7', '3012AA', 'Rotterdam'),
      device: 'dev-chloe-tablet',
    },
  ];
  const records: object[] = [];
  for (const customer of customers) {
    records.push({
      type: 'account',
      id: customer.id,
      created_at: at(400),
      name: customer.name,
      email: customer.email,
      phone: customer.phone,
      date_of_birth: customer.dob,
      address: customer.address,
      // The provider verified both at sign-up; without this line, paid history would decide (see the import format).
      email_verified_at: at(400),
      phone_verified_at: at(400),
    });
  }
  let orderNumber = 0;
  for (const daysAgo of [300, 240, 180, 120, 60, 20]) {
    for (const customer of customers) {
      orderNumber += 1;
      const value = 2500 + ((orderNumber * 1337) % 9000);
      records.push({
        type: 'order',
        id: `demo-order-${orderNumber}`,
        placed_at: at(daysAgo),
        account_id: customer.id,
        merchant: 'Demo Shop',
        merchant_reference: `demo-${orderNumber}`,
        amount: { value, currency: 'EUR' },
        lines: [{ name: 'Demo item', quantity: 1, unit_price: value, category: 'fashion' }],
        customer: { name: customer.name, email: customer.email, phone: customer.phone, date_of_birth: customer.dob },
        billing_address: customer.address,
        shipping_address: customer.address,
        device: { id: customer.device, ip: '198.51.100.20', user_agent: 'Mozilla/5.0' },
        outcome: daysAgo > 14 ? 'paid_on_time' : 'open',
        ...(daysAgo > 14 ? { outcome_at: at(daysAgo - 10) } : {}),
      });
    }
  }
  records.sort((a, b) =>
    String(
      (a as { created_at?: string; placed_at?: string }).created_at ?? (a as { placed_at: string }).placed_at,
    ).localeCompare(
      String((b as { created_at?: string; placed_at?: string }).created_at ?? (b as { placed_at: string }).placed_at),
    ),
  );
  return records.map((record) => JSON.stringify(record)).join('\n');
}

/** Idempotent: seeds once per database, then only reports the key. */
export async function seedDemo(application: Application): Promise<{ merchantKey: string; seeded: boolean }> {
  const existing = await application.merchants.findByKeyHash(sha256(demoMerchantKey));
  if (existing) return { merchantKey: demoMerchantKey, seeded: false };
  await application.merchants.create('Demo Shop', demoMerchantKey);
  const result = await application.importer.importText(demoHistory(application.clock.now()));
  if (result.rejected.length > 0) throw new Error(`demo history rejected: ${JSON.stringify(result.rejected[0])}`);
  return { merchantKey: demoMerchantKey, seeded: true };
}
