// Writes import NDJSON orders as a Dutch webshop's CSV export (docs/byod/mapping.yaml's columns), for the CSV tests.
import { readFile, writeFile } from 'node:fs/promises';

const statusOf: Record<string, string> = {
  paid_on_time: 'betaald',
  paid_late: 'te laat betaald',
  unpaid: 'onbetaald',
  fraud_confirmed: 'fraude',
  open: 'open',
};

const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** dd-MM-yyyy HH:mm:ss on Amsterdam's wall clock, as a Dutch export writes it. */
export function amsterdamTime(iso: string | undefined): string {
  if (!iso) return '';
  const parts = Object.fromEntries(amsterdam.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}

type Address = { street: string; house_number: string; postal_code: string; city: string; country: string };
interface Order {
  type: string;
  id?: string;
  placed_at: string;
  merchant?: string;
  amount: { value: number };
  customer?: { name?: string; email?: string; phone?: string };
  billing_address?: Address;
  shipping_address?: Address;
  device?: { id?: string; ip?: string; user_agent?: string };
  merchant_account?: { id: string; registered_at: string };
  extra_merchant_data?: Record<string, unknown>;
  outcome: string;
  outcome_at?: string;
  typology?: string;
}

export const csvHeader = [
  'Ordernummer',
  'Besteldatum',
  'Winkel',
  'Bedrag',
  'Naam',
  'E-mail',
  'Telefoon',
  'Straat',
  'Huisnummer',
  'Postcode',
  'Plaats',
  'Land',
  'Afleverstraat',
  'Afleverhuisnummer',
  'Afleverpostcode',
  'Afleverplaats',
  'Afleverland',
  'Apparaat',
  'IP-adres',
  'Browser',
  'Klantnummer',
  'Klant sinds',
  'Bezorging',
  'Status',
  'Statusdatum',
  'Fraudetype',
];

function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const addressCells = (address: Address | undefined) =>
  address
    ? [address.street, address.house_number, address.postal_code, address.city, address.country]
    : ['', '', '', '', ''];

export function csvRow(order: Order): string {
  return [
    order.id,
    amsterdamTime(order.placed_at),
    order.merchant,
    (order.amount.value / 100).toFixed(2).replace('.', ','),
    order.customer?.name,
    order.customer?.email,
    order.customer?.phone,
    ...addressCells(order.billing_address),
    ...addressCells(order.shipping_address),
    order.device?.id,
    order.device?.ip,
    order.device?.user_agent,
    order.merchant_account?.id,
    amsterdamTime(order.merchant_account?.registered_at),
    order.extra_merchant_data?.delivery_method,
    statusOf[order.outcome],
    amsterdamTime(order.outcome_at),
    order.typology,
  ]
    .map(cell)
    .join(';');
}

/** The orders of an import NDJSON file as CSV rows (accounts are not part of a webshop's order export). */
export async function ndjsonToCsv(ndjson: string, csv: string, extraRows: readonly string[] = []): Promise<number> {
  const orders = (await readFile(ndjson, 'utf8'))
    .split('\n')
    .filter((line) => line.includes('"type":"order"'))
    .map((line) => JSON.parse(line) as Order);
  await writeFile(csv, [csvHeader.join(';'), ...orders.map(csvRow), ...extraRows].join('\n') + '\n');
  return orders.length;
}
