// A planted fraud ring as history to import: four "customers" on one device shipping to one drop address, plus honest
// neighbours who share a pick-up point with one of them and a stranger who shares nothing.
export const ringDevice = 'dev-ring-7';
export const dropAddress = {
  street: 'Kerkstraat',
  house_number: '5',
  postal_code: '3511 AB',
  city: 'Utrecht',
  country: 'NL',
};
export const pickupPoint = {
  street: 'PostNL Punt Primera Stationsplein',
  house_number: '1',
  postal_code: '3511 CE',
  city: 'Utrecht',
  country: 'NL',
};
export const ringMembers = ['Bas Jansen', 'Cor de Wit', 'Dirk Smit', 'Eva Bakker'];

const home = (index: number) => ({
  street: 'Dorpsweg',
  house_number: String(10 + index),
  postal_code: `${1100 + index} AA`,
  city: 'Amstelveen',
  country: 'NL',
});

function order(index: number, customer: { name: string; email: string; phone: string }, extra: object) {
  return {
    type: 'order',
    id: `ring-${index}-${customer.email}`,
    placed_at: `2026-10-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00Z`,
    merchant: 'Phone Shop',
    amount: { value: 89900 + index * 1000, currency: 'EUR' },
    customer,
    billing_address: home(index),
    outcome: 'open',
    ...extra,
  };
}

/** NDJSON for POST /v1/admin/import. */
export function ringHistory(): string {
  const records: object[] = [];
  ringMembers.forEach((name, index) => {
    const customer = {
      name,
      email: `${name.split(' ')[0]!.toLowerCase()}@example.nl`,
      phone: `+3161234560${index}`,
    };
    records.push(
      order(index, customer, {
        shipping_address: dropAddress,
        device: { id: ringDevice, ip: `198.51.100.${index + 1}` },
        // The first one was already confirmed as fraud: the graph shows it marked.
        ...(index === 0 ? { outcome: 'fraud_confirmed', fraud_kind: 'fraud_third_party' } : {}),
      }),
    );
  });
  // One ring member also used a pick-up point that honest neighbours use: that point is not a drop address.
  records.push(
    order(
      5,
      { name: 'Bas Jansen', email: 'bas@example.nl', phone: '+31612345600' },
      {
        id: 'ring-pickup',
        shipping_address: pickupPoint,
        device: { id: ringDevice },
      },
    ),
  );
  ['Fleur Visser', 'Gert Mulder', 'Hanna Bos'].forEach((name, index) => {
    const customer = { name, email: `${name.split(' ')[0]!.toLowerCase()}@example.nl`, phone: `+3161234570${index}` };
    records.push(
      order(20 + index, customer, {
        shipping_address: pickupPoint,
        device: { id: `dev-honest-${index}` },
        outcome: 'paid_on_time',
      }),
    );
  });
  records.push(
    order(
      30,
      { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' },
      {
        device: { id: 'dev-anna-1' },
        outcome: 'paid_on_time',
      },
    ),
  );
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}
