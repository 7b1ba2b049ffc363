// The indexes a checkout writes on every insert earn their cost: none repeats another's leading columns, and the
// entity graph's indexes on plain input values take no entry for a sealed order (which holds none of those values).
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';

// Tables an approved checkout inserts into.
const checkoutTables = ['sessions', 'decisions', 'orders', 'order_events', 'order_notices', 'outbox', 'invoices'];

interface IndexRow {
  table_name: string;
  index_name: string;
  columns: string;
  is_unique: boolean;
  is_partial: boolean;
  is_expression: boolean;
}

// Key columns by name, in order, from the catalogue (an expression counts as `expr`): a plain-SQL view both
// PostgreSQL and PGlite answer alike. Partitions are left out: each repeats its parent's indexes.
const indexesOf = (database: Database) =>
  database.query<IndexRow>(
    `SELECT t.relname AS table_name, i.relname AS index_name,
       array_to_string(ARRAY(
         SELECT COALESCE(a.attname, 'expr') FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         ORDER BY k.position), ',') AS columns,
       x.indisunique AS is_unique, x.indpred IS NOT NULL AS is_partial, x.indexprs IS NOT NULL AS is_expression
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[])`,
    [checkoutTables],
  );

describe.each(databaseKinds)('indexes written by every checkout (%s)', (kind) => {
  let database: Database | undefined;
  afterEach(async () => database?.close());

  it('none is a plain index on the leading columns of another index of its table', async () => {
    database = await makeTestDatabase(kind);
    const indexes = await indexesOf(database);
    expect(indexes.some((index) => index.table_name === 'orders')).toBe(true);
    const redundant = indexes.filter(
      (index) =>
        !index.is_unique &&
        !index.is_partial &&
        !index.is_expression &&
        indexes.some(
          (other) =>
            other !== index &&
            other.table_name === index.table_name &&
            !other.is_partial &&
            other.columns.startsWith(`${index.columns},`),
        ),
    );
    expect(redundant.map((index) => `${index.table_name}.${index.index_name}`)).toEqual([]);
  });

  it("the graph's plain-value indexes are partial (a sealed order holds none of their values) and still serve its lookups", async () => {
    database = await makeTestDatabase(kind);
    const indexes = await indexesOf(database);
    const onInputValues = indexes.filter((index) => index.table_name === 'orders' && index.is_expression);
    expect(onInputValues.map((index) => index.index_name).sort()).toEqual([
      'orders_billing_postcode',
      'orders_customer_email',
      'orders_device_id',
      'orders_device_ip',
      'orders_shipping_postcode',
    ]);
    expect(onInputValues.filter((index) => !index.is_partial)).toEqual([]);

    // The graph's lookup (a strict equality, as in entity-graph.repository.ts) implies the predicate: the index is used.
    const plan = await database.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<Record<string, string>>(
        `EXPLAIN SELECT o.id FROM orders o WHERE (o.input->'device'->>'id') = ANY($1::text[])
            OR upper(regexp_replace(o.input->'billing_address'->>'postal_code', '\\s', '', 'g')) = ANY($2::text[])`,
        [['dev-1'], ['1012LG']],
      );
    });
    const text = plan.map((row) => Object.values(row).join(' ')).join('\n');
    expect(text).toContain('orders_device_id');
    expect(text).toContain('orders_billing_postcode');
  });
});
