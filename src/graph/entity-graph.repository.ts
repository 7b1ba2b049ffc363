// Reads the orders that carried any of a set of identifiers: the one query the entity graph expands with.
import type { Address } from '../checkout/session.schema.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { erased, type PersonalData } from '../privacy/personal-data.ts';
import type { EntityKind, OrderFacts } from './entity-graph.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  type AccountData,
  type AccountSealedColumns,
} from '../privacy/account-data.ts';

/** Opens sealed order inputs and turns frontier keys into the pseudonyms kept orders carry. */
export type GraphSealedReader = Pick<PersonalData, 'openInputs' | 'pseudonyms'>;

interface OrderRow extends AccountSealedColumns {
  id: string;
  account_id: string;
  placed_at: Date;
  amount: string | number;
  currency: string;
  state: string;
  session_id: string | null;
  shipped: boolean;
  fraud_label: string | null;
  input: {
    customer?: { email?: string; phone?: string; iban?: string };
    device?: { id?: string; ip?: string };
    billing_address?: Address;
    shipping_address?: Address;
  };
}

export type Frontier = Readonly<Record<EntityKind, readonly string[]>>;

/**
 * Coarse SQL matches on indexed expressions (a postcode for an address, the last nine digits for a phone); the caller
 * keeps only the orders whose normalised entities really touch the frontier. Newest first, at most `limit` rows.
 */
export async function ordersTouching(
  db: SqlExecutor,
  accounts: AccountData,
  frontier: Frontier,
  limit: number,
  sealed?: GraphSealedReader,
): Promise<OrderFacts[]> {
  const postcodes = frontier.address.map((key) => key.split('|')[1] ?? '');
  const phoneTails = frontier.phone.map((key) => key.replace(/\D/g, '').slice(-9));
  // Orders whose person is sealed keep pseudonyms of the same normalised keys: matched exactly, then opened below.
  const pseudonymsOf = (kind: Parameters<GraphSealedReader['pseudonyms']['of']>[0], keys: readonly string[]) =>
    sealed ? keys.map((key) => sealed.pseudonyms.of(kind, key)) : [];
  const rows = await db.query<OrderRow>(
    `SELECT o.id, o.account_id, ${accountSealedSql('a', 'k')}, o.placed_at, o.amount, o.currency, o.state, o.input,
       o.session_id,
       EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) AS shipped,
       (SELECT l.label FROM labels l WHERE l.order_id = o.id AND l.label <> 'legit'
        ORDER BY l.known_at DESC LIMIT 1) AS fraud_label
     FROM orders o JOIN accounts a ON a.id = o.account_id ${accountSubjectJoinSql('a', 'k')}
     WHERE o.id = ANY($1::text[]) OR o.account_id = ANY($2::text[])
       OR (o.input->'device'->>'id') = ANY($3::text[])
       OR lower(o.input->'device'->>'ip') = ANY($4::text[])
       OR lower(o.input->'customer'->>'email') = ANY($5::text[])
       OR right(regexp_replace(o.input->'customer'->>'phone', '[^0-9]', '', 'g'), 9) = ANY($6::text[])
       OR upper(regexp_replace(o.input->'customer'->>'iban', '\\s', '', 'g')) = ANY($7::text[])
       OR upper(regexp_replace(o.input->'shipping_address'->>'postal_code', '\\s', '', 'g')) = ANY($8::text[])
       OR upper(regexp_replace(o.input->'billing_address'->>'postal_code', '\\s', '', 'g')) = ANY($8::text[])
       OR o.input->'pseudonyms'->>'device' = ANY($10::text[]) OR o.input->'pseudonyms'->>'ip' = ANY($11::text[])
       OR o.input->'pseudonyms'->>'email' = ANY($12::text[]) OR o.input->'pseudonyms'->>'phone' = ANY($13::text[])
       OR o.input->'pseudonyms'->>'iban' = ANY($14::text[])
       OR o.input->'pseudonyms'->>'billing_address' = ANY($15::text[])
       OR o.input->'pseudonyms'->>'shipping_address' = ANY($15::text[])
     ORDER BY o.placed_at DESC, o.id LIMIT $9`,
    [
      frontier.order,
      frontier.account,
      frontier.device,
      frontier.ip,
      frontier.email,
      phoneTails,
      frontier.iban,
      postcodes,
      limit,
      pseudonymsOf('device', frontier.device),
      pseudonymsOf('ip', frontier.ip),
      pseudonymsOf('email', frontier.email),
      pseudonymsOf('phone', frontier.phone),
      pseudonymsOf('iban', frontier.iban),
      pseudonymsOf('address', frontier.address),
    ],
  );
  // An erased person's order stays in the graph by its account and order only: no values, so no made-up links.
  const inputs = sealed
    ? (await sealed.openInputs(db, rows)).map((input) => (input === erased ? {} : (input as OrderRow['input'])))
    : rows.map((row) => row.input);
  return rows.map((row, index) => ({
    id: row.id,
    accountId: row.account_id,
    accountName: accounts.accountPerson(row).name,
    placedAt: row.placed_at,
    amount: Number(row.amount),
    currency: row.currency,
    state: row.state,
    shipped: row.shipped,
    fraudLabel: row.fraud_label,
    email: inputs[index]!.customer?.email ?? null,
    phone: inputs[index]!.customer?.phone ?? null,
    deviceId: inputs[index]!.device?.id ?? null,
    ip: inputs[index]!.device?.ip ?? null,
    iban: inputs[index]!.customer?.iban ?? null,
    billingAddress: inputs[index]!.billing_address ?? null,
    shippingAddress: inputs[index]!.shipping_address ?? null,
  }));
}
