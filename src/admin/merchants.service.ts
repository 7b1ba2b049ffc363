// Merchants and their API keys: keys are shown once and stored only as SHA-256 digests.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { newApiKey, sha256 } from '../shared/hashing.ts';
import type { Database } from '../storage/database.ts';
import type { Merchant } from '../http/route.ts';

export function makeMerchantsService(dependencies: { database: Database; clock: Clock; ids: Ids }) {
  const { database, clock, ids } = dependencies;
  // Merchants are few and keys never change: a small cache keeps authentication off the database.
  const byKeyHash = new Map<string, Merchant>();

  return {
    /** "on_approval" (the default here: demo and tests) invoices at approval; "on_shipment" waits for captures. */
    async create(
      name: string,
      apiKey: string = newApiKey(),
      captureMode: 'on_approval' | 'on_shipment' = 'on_approval',
    ): Promise<Merchant & { api_key: string; capture_mode: string }> {
      const merchant = { id: ids.next('mer'), name };
      await database.query(
        'INSERT INTO merchants (id, name, api_key_hash, created_at, capture_mode) VALUES ($1, $2, $3, $4, $5)',
        [merchant.id, name, sha256(apiKey), new Date(clock.now()), captureMode],
      );
      return { ...merchant, api_key: apiKey, capture_mode: captureMode };
    },
    async findByKeyHash(keyHash: string): Promise<Merchant | null> {
      const cached = byKeyHash.get(keyHash);
      if (cached) return cached;
      const [row] = await database.query<Merchant>('SELECT id, name FROM merchants WHERE api_key_hash = $1', [keyHash]);
      if (row) byKeyHash.set(keyHash, { id: row.id, name: row.name });
      return row ?? null;
    },
    async findByName(name: string): Promise<Merchant | null> {
      const [row] = await database.query<Merchant>(
        'SELECT id, name FROM merchants WHERE name = $1 ORDER BY created_at LIMIT 1',
        [name],
      );
      return row ?? null;
    },
  };
}

export type MerchantsService = ReturnType<typeof makeMerchantsService>;
